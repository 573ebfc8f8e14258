"""An MCP server over the store, for AI assistants: search, records in parts, history,
field statistics and eligibility, each a tool with structured output (`api.mcp.server`)."""
