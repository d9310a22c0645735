"""Stories: items of many sources about one event, clustered across languages."""
