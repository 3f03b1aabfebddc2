-- Search: erased words leave the index itself, at once. By default FTS5 records a deletion (and the old side of
-- an edit) as a new entry that cancels the old one, and the old words' bytes stay in its segments until a
-- merge happens to rewrite them. With `secure-delete` (FTS5, SQLite 3.42+) a deletion removes the entries
-- from the segments in place, in the same transaction: a post edited to take a name out, an erased account's
-- words, a withdrawn anonymous share are gone from the database file, not only from the results.
INSERT INTO `search_index` (`search_index`, `rank`) VALUES ('secure-delete', 1);
--> statement-breakpoint
-- What was deleted before this migration: one full merge rewrites every segment without it.
INSERT INTO `search_index` (`search_index`) VALUES ('optimize');
