// Colour for the commands' text output: ANSI styles, on only for a terminal without NO_COLOR (no-color.org).
const SGR = { bold: "1", red: "31", green: "32", yellow: "33", dim: "2" } as const;
export type Style = keyof typeof SGR;

/** Whether text output to `stream` should be coloured: a terminal, and NO_COLOR not set. */
export function wantsColor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && !env.NO_COLOR;
}

/** A painter that styles text when `color` is on and leaves it as it is otherwise. */
export function painter(color: boolean | undefined): (text: string, ...styles: Style[]) => string {
  return (text, ...styles) => (color && styles.length > 0 ? `\u001b[${styles.map((s) => SGR[s]).join(";")}m${text}\u001b[0m` : text);
}
