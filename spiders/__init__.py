"""One module per site. A new site is one small module here plus its mirror in tests/fixtures/sites/."""
