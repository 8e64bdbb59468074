"""Pickle fallback: values of types no transformer claims travel as cloudpickle files."""

from flyte_core.types.pickle.pickle import FlytePickle, FlytePickleTransformer, pickle_dict_literal

__all__ = ["FlytePickle", "FlytePickleTransformer", "pickle_dict_literal"]
