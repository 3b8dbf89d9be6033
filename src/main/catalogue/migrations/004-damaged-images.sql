-- Reserved for the import hardening (damaged images): filled in by that change.
SELECT 1;
