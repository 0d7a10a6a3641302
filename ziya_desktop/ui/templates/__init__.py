"""Genre templates: the side panel with its tree and form, the template editor, and the writer's own templates."""
