-- trends schema, version 9: the report's `driver` column in `rankings`: the
-- signal whose contribution to `score_change` is largest in size (NULL when
-- the change is unknown or 0; `trends explain` gives every contribution).
ALTER TABLE rankings ADD COLUMN driver VARCHAR;
