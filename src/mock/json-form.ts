/**
 * Form bodies whose fields carry JSON text (Gupshup's `template`, `message`, `postbackTexts`),
 * declared in a spec with `encoding.<field>.contentType: application/json`. Neither Prism nor
 * openapi-pact-comparator honours that encoding, so the mock and the static pact check use this.
 */

type SpecPaths = { paths?: Record<string, Record<string, unknown>> };

/**
 * `method path` → the form fields that the spec says carry JSON text. Read from the spec itself:
 * Prism drops encodings that have no `style`.
 */
export function jsonEncodedFormFields(spec: SpecPaths): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const [path, item] of Object.entries(spec.paths ?? {})) {
    for (const [method, operation] of Object.entries(item)) {
      const content = (operation as { requestBody?: { content?: Record<string, { encoding?: Record<string, { contentType?: string }> }> } })
        ?.requestBody?.content;
      for (const [mediaType, media] of Object.entries(content ?? {})) {
        if (!mediaType.startsWith('application/x-www-form-urlencoded')) continue;
        const fields = Object.entries(media.encoding ?? {})
          .filter(([, encoding]) => /json/.test(encoding.contentType ?? ''))
          .map(([field]) => field);
        if (fields.length > 0) found.set(`${method} ${path}`, fields);
      }
    }
  }
  return found;
}

/** The form as an object, with the JSON fields decoded; a field that is not JSON is reported. */
export function decodeJsonForm(raw: string, jsonFields: readonly string[]): { value: Record<string, unknown>; notJson: string[] } {
  const value: Record<string, unknown> = {};
  const notJson: string[] = [];
  for (const [key, text] of new URLSearchParams(raw)) {
    if (!jsonFields.includes(key)) {
      value[key] = text;
      continue;
    }
    try {
      value[key] = JSON.parse(text);
    } catch {
      notJson.push(key);
      value[key] = text;
    }
  }
  return { value, notJson };
}
