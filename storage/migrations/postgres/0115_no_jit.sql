-- Issue 15: no JIT compilation in this database. A national board's statement is cheap
-- to run (milliseconds) but its cost estimate is high, so PostgreSQL compiled it with
-- LLVM first: 3.2 s of JIT for 90 ms of work (EXPLAIN ANALYZE, 60,000 members). The bot
-- runs short statements only. Sessions opened from now on take the setting; a role
-- that does not own the database cannot set it, and then the README's advice applies.
DO $$
BEGIN
    EXECUTE format('ALTER DATABASE %I SET jit = off', current_database());
EXCEPTION WHEN insufficient_privilege THEN
    RAISE NOTICE 'jit stays on: only the database owner can turn it off';
END $$;
