INSERT INTO users (id, username, password, active, email) SELECT i, 'user' || i, 'pw', mod(i, 2) = 0, 'u' || i || '@example.com' FROM generate_series(1, 4) i;
INSERT INTO authorities (id, owner, name, body, chain, bits, cn, not_before, not_after, plugin_name, user_id)
VALUES (1, 'secure@example.com', 'RootCA', 'ROOT BODY', NULL, 2048, 'root', '2015-01-01', '2025-01-01', 'cryptography-issuer', 1),
       (2, 'ca-team@example.com', 'IntermediateCA ✓', 'INTERMEDIATE BODY', 'ROOT BODY', 4096, 'inter', NULL, NULL, 'acme-issuer', NULL);
-- No role carries an authority_id: 412b22cb656a would insert into a misspelled table for it.
INSERT INTO roles (id, name, description) VALUES (1, 'admin', 'Admins'), (2, 'secure@example.com', 'already a role');
INSERT INTO roles_users VALUES (1, 1), (2, 1);
INSERT INTO certificates (id, owner, body, private_key, name, chain, bits, issuer, serial, cn, description, active, san, not_before, not_after, user_id, authority_id)
SELECT i, CASE WHEN mod(i, 3) = 0 THEN 'secure@example.com' ELSE 'owner' || mod(i, 2) || '@example.com' END,
 CASE WHEN i = 1 THEN 'ROOT BODY' ELSE '  BODY ' || i || E'\n' END, CASE WHEN mod(i, 2) = 0 THEN 'KEY' || i END,
 'cert-' || i, CASE WHEN mod(i, 4) = 0 THEN ' CHAIN ' || i END, 2048, 'issuer', 'serial' || i, 'cn' || i,
 CASE WHEN mod(i, 5) = 0 THEN NULL ELSE 'ñ description ' || i END, mod(i, 3) <> 0, NULL, '2016-01-01', '2017-01-01', 1 + mod(i, 4), 1 + mod(i, 2)
FROM generate_series(1, 12) i;
INSERT INTO domains (id, name) SELECT i, 'd' || i || '.example.com' FROM generate_series(1, 6) i;
INSERT INTO certificate_associations SELECT 1 + mod(i, 6), i FROM generate_series(1, 12) i;
INSERT INTO destinations (id, label, options, plugin_name) VALUES (1, 'aws', '[{"name": "accountNumber", "value": "1"}]', 'aws-destination');
INSERT INTO notifications (id, label, options, plugin_name) VALUES (1, 'mail', '[]', 'email-notification');
INSERT INTO sources (id, label, options, plugin_name) VALUES (1, 'aws-source', '[]', 'aws-source'), (2, 'other', NULL, NULL);
INSERT INTO certificate_destination_associations SELECT 1, i FROM generate_series(1, 5) i;
INSERT INTO certificate_notification_associations SELECT 1, i FROM generate_series(2, 6) i;
INSERT INTO certificate_source_associations SELECT 1 + mod(i, 2), i FROM generate_series(1, 12) i;
-- Lemur's own data migrations insert rows with serial keys after these.
SELECT setval(pg_get_serial_sequence(t, 'id'), 1000) FROM unnest(ARRAY['users', 'authorities', 'roles', 'certificates', 'domains']) t;
