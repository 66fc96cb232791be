"""ui: the Gradio chat page over `qa`. Start it with `python -m ui`."""
