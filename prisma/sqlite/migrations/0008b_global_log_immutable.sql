-- Hand-written: the publication log and the data versions can never be changed or deleted.
CREATE TRIGGER "Publication_no_update" BEFORE UPDATE ON "Publication" BEGIN SELECT RAISE(ABORT, 'the publication log is immutable'); END;
CREATE TRIGGER "Publication_no_delete" BEFORE DELETE ON "Publication" BEGIN SELECT RAISE(ABORT, 'the publication log is immutable'); END;
CREATE TRIGGER "DataVersion_no_update" BEFORE UPDATE ON "DataVersion" BEGIN SELECT RAISE(ABORT, 'data versions are immutable'); END;
CREATE TRIGGER "DataVersion_no_delete" BEFORE DELETE ON "DataVersion" BEGIN SELECT RAISE(ABORT, 'data versions are immutable'); END;
