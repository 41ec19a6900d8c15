-- Hand-written: published releases can never be changed or deleted, whatever code runs.
CREATE TRIGGER "Release_no_update" BEFORE UPDATE ON "Release" BEGIN SELECT RAISE(ABORT, 'releases are immutable'); END;
CREATE TRIGGER "Release_no_delete" BEFORE DELETE ON "Release" BEGIN SELECT RAISE(ABORT, 'releases are immutable'); END;
