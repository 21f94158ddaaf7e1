"""Who may run and publish an evaluation. Who sees a run and its rows is decided in jiqun.accounts.scoping."""

from jiqun.accounts.permissions import is_province_admin

# The province runs the yearly evaluation and publishes it (DESIGN §1); a city sees its clusters' results.
can_run_evaluation = is_province_admin
can_publish_evaluation = is_province_admin
can_load_scheme = is_province_admin
