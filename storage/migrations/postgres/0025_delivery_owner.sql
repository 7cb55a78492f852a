-- PostgreSQL counterpart of ../0025_delivery_owner.sql: which process claimed a delivery.
ALTER TABLE schedule_deliveries ADD COLUMN owner TEXT;
