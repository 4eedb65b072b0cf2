"""saas_segments: customer-segment marts for B2B SaaS built with dbt."""
