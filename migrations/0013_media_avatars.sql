-- Issue 22: avatars are uploads now (PATCH /users/me `avatar_media_id`). A URL of the person's own choosing let
-- its host learn the address and reading time of everyone shown that avatar: in every list, comment and
-- support conversation. Those URLs are dropped (a profile without an avatar shows its initials); posts keep
-- theirs (docs/decisions/media.md).
UPDATE `users` SET `avatar_url` = NULL WHERE `avatar_url` IS NOT NULL AND `avatar_url` NOT LIKE '/api/v1/media/%';
