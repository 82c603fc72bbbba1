// Bans on disk (`bans.json` in the state directory): they survive a restart and are re-applied.
import type { DecisionSummary } from "./rules";
import { readJsonFile, writeJsonAtomic } from "./state-files";

export interface BanEvidence extends DecisionSummary {
  /** the last few security-relevant log lines of the app before the ban */
  samples: string[];
}

/** What was disconnected, so an unban restores exactly the same attachment. */
export interface NetworkAttachmentRecord {
  network: string;
  ipv4Address?: string;
  aliases: string[];
}

export interface EnforcementRecord {
  containerId: string;
  containerName: string;
  networks: NetworkAttachmentRecord[];
  at: string;
}

export interface BanRecord {
  app: string;
  bannedAt: string;
  /** sequence number of the `ban` record in the audit log */
  auditSeq: number;
  evidence: BanEvidence;
  enforcement?: EnforcementRecord;
}

interface BanFile {
  version: 1;
  stack: string;
  bans: BanRecord[];
}

export class BanStore {
  private readonly bans = new Map<string, BanRecord>();

  private constructor(readonly file: string, readonly stack: string) {}

  static load(file: string, stack: string): BanStore {
    const store = new BanStore(file, stack);
    const content = readJsonFile<BanFile>(file, "ban state");
    if (content) {
      if (content.version !== 1 || !Array.isArray(content.bans)) throw new Error(`ban state ${file} has an unknown layout (expected version 1 with a bans list)`);
      if (content.stack !== stack) throw new Error(`ban state ${file} belongs to stack ${JSON.stringify(content.stack)}, not ${JSON.stringify(stack)}: use that stack's state directory`);
      for (const ban of content.bans) store.bans.set(ban.app, ban);
    }
    return store;
  }

  list(): BanRecord[] {
    return [...this.bans.values()].sort((a, b) => (a.app < b.app ? -1 : 1));
  }

  get(app: string): BanRecord | undefined {
    return this.bans.get(app);
  }

  has(app: string): boolean {
    return this.bans.has(app);
  }

  put(ban: BanRecord): void {
    this.bans.set(ban.app, ban);
    this.save();
  }

  remove(app: string): BanRecord | undefined {
    const ban = this.bans.get(app);
    if (ban) {
      this.bans.delete(app);
      this.save();
    }
    return ban;
  }

  private save(): void {
    const content: BanFile = { version: 1, stack: this.stack, bans: this.list() };
    writeJsonAtomic(this.file, content);
  }
}
