"""ImageSpec cases shared by the generator (flytekit) and the test (flyte-core).

Each case is (id, expression); the expression is evaluated with ``ImageSpec`` and ``CopyFileDetection``
of the SDK under test, in the directory ``image_spec_tree`` (paths in the cases are relative to it), after
``wfmod`` from that directory has been imported (the source files of ``source_copy_mode=auto``).
``TREE`` is that directory's absolute path: the ``spec_id`` of cases using it depends on the checkout
(``PATH_DEPENDENT_ID``), their tag does not.
"""

import pathlib

TREE = pathlib.Path(__file__).parent / "image_spec_tree"

PATH_DEPENDENT_ID = {"source_root_all_absolute", "source_root_auto_absolute"}

CASES = [
    ("defaults", "ImageSpec()"),
    ("name_is_lowercased", "ImageSpec(name='My-Image')"),
    ("registry", "ImageSpec(name='app', registry='ghcr.io/FlyteOrg')"),
    ("localhost_registry", "ImageSpec(name='app', registry='localhost:30000')"),
    (
        "python_packages_apt",
        "ImageSpec(name='app', python_version='3.11', packages=['pandas==2.0', 'numpy'], apt_packages=['git'])",
    ),
    ("env_cuda", "ImageSpec(name='gpu', env={'A': '1', 'B': 'two'}, cuda='12.1', cudnn='8')"),
    ("conda", "ImageSpec(name='conda', conda_packages=['pytorch'], conda_channels=['pytorch', 'nvidia'])"),
    ("base_image_string", "ImageSpec(name='app', base_image='python:3.11-slim')"),
    ("base_image_spec", "ImageSpec(name='child', base_image=ImageSpec(name='parent', packages=['flask']))"),
    ("platform", "ImageSpec(name='app', platform='linux/arm64')"),
    (
        "pip_options",
        "ImageSpec(name='app', pip_index='https://pypi.example/simple', "
        "pip_extra_index_url=['https://a.example/simple'], pip_extra_args='--no-cache-dir')",
    ),
    ("pip_secret_mounts_not_hashed", "ImageSpec(name='app', pip_secret_mounts=[('.gitconfig', '/etc/gitconfig')])"),
    ("runtime_packages_not_hashed", "ImageSpec(name='app', runtime_packages=['rich'])"),
    ("builder_not_hashed", "ImageSpec(name='app', builder='noop', base_image='python:3.11')"),
    ("entrypoint_commands", "ImageSpec(name='app', entrypoint=['python'], commands=['echo hi', 'ls'])"),
    ("tag_format", "ImageSpec(name='app', packages=['a'], tag_format='{spec_hash}-dev')"),
    ("builder_options", "ImageSpec(name='app', builder_options={'a': 1}, builder_config={'uv_image': 'uv:1'})"),
    ("python_exec", "ImageSpec(name='app', python_exec='/usr/bin/python3')"),
    ("registry_config_not_in_tag", "ImageSpec(name='app', registry_config='registry.json')"),
    (
        "with_builders",
        "ImageSpec(name='app').with_packages(['a', 'b']).with_packages('c').with_apt_packages('curl')"
        ".with_commands('echo hi').with_runtime_packages(['r']).with_builder_options({'k': 'v'})",
    ),
    ("requirements_content", "ImageSpec(name='app', requirements='requirements.txt')"),
    ("copy_files_and_dirs", "ImageSpec(name='app', copy=['data', 'README.md'])"),
    ("with_copy", "ImageSpec(name='app').with_copy('data').with_copy(['README.md'])"),
    ("source_root_auto", "ImageSpec(name='app', source_root='.')"),
    ("source_root_all", "ImageSpec(name='app', source_root='.', source_copy_mode=CopyFileDetection.ALL)"),
    (
        "source_root_all_absolute",
        "ImageSpec(name='app', source_root=str(TREE), source_copy_mode=CopyFileDetection.ALL)",
    ),
    ("source_root_auto_absolute", "ImageSpec(name='app', source_root=str(TREE))"),
    ("source_root_no_copy", "ImageSpec(name='app', source_root='.', source_copy_mode=CopyFileDetection.NO_COPY)"),
]
