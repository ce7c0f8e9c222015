-- Helpdesk figures an export carries beside its timestamps (docs/metrics.md#support-metrics):
-- sla_met, whether the ticket met its SLA (ServiceNow `made_sla`; null when the export has no
-- SLA column), and business_resolution_hours, the resolution time within business hours
-- (ServiceNow `business_stc`/`business_duration`, Zendesk `Full resolution time in minutes within
-- business hours`). Both nullable; ticket_history keeps them too, so undo restores them.
ALTER TABLE tickets ADD COLUMN sla_met BOOLEAN;
ALTER TABLE tickets ADD COLUMN business_resolution_hours DOUBLE;
ALTER TABLE ticket_history ADD COLUMN sla_met BOOLEAN;
ALTER TABLE ticket_history ADD COLUMN business_resolution_hours DOUBLE;
