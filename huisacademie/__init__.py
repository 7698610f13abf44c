"""The huisacademie command: run the local stack, the services and the demo."""
