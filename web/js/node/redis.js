//! The package answering as `redis` (node-redis v4 style): `import { createClient } from …`.
export { createClient, ErrorReply, clock } from './index.js';
