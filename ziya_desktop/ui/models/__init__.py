"""The model library window: the models on disk and in the catalog, downloads, imports and conversions run as
background jobs, and the GPU settings."""
