//! placeholder
export class ErrorReply extends Error {}
export function createClient() { throw new Error('todo'); }
