/** The audit log cannot be used at all (unreadable, not an audit log, other key). Distinct from tampering findings. */
export class AuditLogError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "AuditLogError";
  }
}
