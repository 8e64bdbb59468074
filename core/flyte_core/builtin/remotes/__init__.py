"""Built-in remote backends: the transports ``FlyteRemote`` talks to a control plane through."""
