-- Reserved for interrupted runs (parent killed mid-run): filled in by that change.
SELECT 1;
