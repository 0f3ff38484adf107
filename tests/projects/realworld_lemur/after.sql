-- Written after the upgrade, in the new schema: tables the chain created, and the old ones.
INSERT INTO logs (id, certificate_id, log_type, user_id) VALUES (1, 3, 'key_view', 2);
INSERT INTO endpoints (id, owner, name, dnsname, type, active, port, certificate_id, sensitive, source_id)
VALUES (1, 'o', 'elb ✓', 'x.example.com', 'elb', true, 443, 3, true, 1);
UPDATE certificates SET rotation = true WHERE id = 4;
INSERT INTO certificates (id, owner, body, name, notify, rotation) VALUES (100, 'after', 'AFTER BODY', 'cert-after', true, true);
