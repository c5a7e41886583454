//! The package answering as `redis` (node-redis v4 style): `import { createClient } from …`.
export { createClient, defineScript, ErrorReply, commandOptions, clock } from './index.js';
