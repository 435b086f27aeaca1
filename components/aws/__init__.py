"""AWS platform components: one ComponentResource per module, plus pure decision modules (plan, policies, task_spec)."""
