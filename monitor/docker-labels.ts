import { PLATFORM_LABEL } from "../plan/names";
// Label filters for the platform's containers (labels set by render/hardening.ts).

export function roleFilter(stack: string, role: string, app?: string): string[] {
  const labels = [`${PLATFORM_LABEL.stack}=${stack}`, `${PLATFORM_LABEL.role}=${role}`];
  if (app !== undefined) labels.push(`${PLATFORM_LABEL.app}=${app}`);
  return labels;
}

export { PLATFORM_LABEL };
