"""Engine modules: load and drive an Alembic project, plan, guard, lock, history."""
