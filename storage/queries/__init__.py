"""All of pantau's SQL, as named constants: one module per area, values only through placeholders.

Nothing outside this package writes SQL text; code elsewhere imports a query by name.
"""
