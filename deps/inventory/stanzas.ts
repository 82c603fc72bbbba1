// `Field: value` paragraphs, as Debian control files (dpkg's status database) and Python's core
// metadata (METADATA, PKG-INFO: e-mail headers) write them: a blank line ends a paragraph, a line that
// starts with a space or tab continues the field before it. Field names are case-insensitive in both,
// so they are kept in lower case.

export interface Stanza {
  /** 1-based line the paragraph starts on */
  line: number;
  fields: Map<string, string>;
  /** lines that are neither a field nor a continuation, as `line N: ...` */
  problems: string[];
}

const FIELD = /^([^\s:][^:]*):(.*)$/;

/** The paragraphs of `text`; `firstOnly` stops at the first blank line (e-mail headers, then a body). */
export function readStanzas(text: string, options: { firstOnly?: boolean } = {}): Stanza[] {
  const stanzas: Stanza[] = [];
  let current: Stanza | undefined;
  let lastField: string | undefined;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === "") {
      if (current) {
        stanzas.push(current);
        current = undefined;
        lastField = undefined;
        if (options.firstOnly) return stanzas;
      }
      continue;
    }
    current ??= { line: i + 1, fields: new Map(), problems: [] };
    if (/^[ \t]/.test(line)) {
      if (lastField === undefined) current.problems.push(`line ${i + 1}: a continuation line with no field before it`);
      else current.fields.set(lastField, `${current.fields.get(lastField)}\n${line.trim()}`);
      continue;
    }
    const match = FIELD.exec(line);
    if (!match) {
      current.problems.push(`line ${i + 1}: not a "Field: value" line (${JSON.stringify(line.slice(0, 60))})`);
      lastField = undefined;
      continue;
    }
    lastField = match[1].trim().toLowerCase();
    current.fields.set(lastField, match[2].trim());
  }
  if (current) stanzas.push(current);
  return stanzas;
}
