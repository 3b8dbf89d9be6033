-- Reserved for label conflicts (one picture under two class folders): filled in by that change.
SELECT 1;
