-- Issue 15: /donvi asks whether a unit has units under it, and unit boards read a
-- scope's children: by index, not by reading every unit of the country.
CREATE INDEX units_parent ON units(parent_id);
