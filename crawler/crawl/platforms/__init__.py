"""Spider bases for CMS platforms shared by many Party sites."""
