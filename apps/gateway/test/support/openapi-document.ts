/** A schema of the API's document (/api/openapi.json), as much of it as the tests read. */
export interface Schema {
  type?: string | string[];
  format?: string;
  properties?: Record<string, Schema>;
  oneOf?: Schema[];
  anyOf?: Schema[];
  items?: Schema;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  maxItems?: number;
  const?: string;
  $ref?: string;
}

/** The parts of the document the tests read: operations' JSON bodies and the named schemas. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, { requestBody: { content: Record<string, { schema: Schema }> } }>>;
  components: { schemas: Record<string, Schema> };
}

/**
 * Reads the document's schemas: `resolve` follows a $ref to its named schema; `bodyFields` gives
 * the field `name` of each shape (oneOf, anyOf, or the one) of an operation's JSON body that has it.
 */
export function openApiReader(document: OpenApiDocument) {
  const resolve = (schema: Schema): Schema =>
    schema.$ref ? resolve(document.components.schemas[schema.$ref.split('/').pop() as string] as Schema) : schema;
  const bodyFields = (path: string, name: string, method = 'post'): Schema[] => {
    const body = resolve(document.paths[path]?.[method]?.requestBody.content['application/json']?.schema ?? {});
    return (body.oneOf ?? body.anyOf ?? [body])
      .map((shape) => resolve(shape).properties?.[name])
      .filter((found): found is Schema => found?.type !== undefined);
  };
  return { resolve, bodyFields };
}
