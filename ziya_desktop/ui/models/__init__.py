"""The model library window: the models on disk and in the catalog, downloads, imports and conversions run as
background jobs, the GPU settings, and the Model menu's actions (``model_actions``)."""
