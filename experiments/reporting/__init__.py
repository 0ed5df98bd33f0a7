"""Words, tables and figures for people: the report, figures, safe Markdown, generated documents."""
