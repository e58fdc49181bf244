"""The API's resources, one module each: its schemas and its views, calling the features' services."""
