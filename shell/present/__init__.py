"""What the command line and the web view share: filters from user input, records shaped for people."""
