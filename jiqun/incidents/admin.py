# The incident register is kept through its pages, command and API (services with audit); no admin pages.
