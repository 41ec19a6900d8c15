-- Hand-written: the organisation a member key belongs to, for the holdings rule (issue 15). An
-- organisation may hold several keys (two devices, two staff); what it knows of a cell is what all
-- its keys reported, so counting takes the shares by organisation. NULL means the key is an
-- organisation of its own; otherwise the value is the key id that names the organisation (the
-- steward's `same-organisation` link, or an invite made for an enrolled organisation). No name or
-- anything else about the organisation is stored.
ALTER TABLE "Member" ADD COLUMN "organisation" TEXT;
ALTER TABLE "Invite" ADD COLUMN "organisation" TEXT;
