// Reading inputs: sources (files, pipes, followed files, gzip) behind one protocol,
// publishing into one bounded inbox. See docs/architecture.md.
