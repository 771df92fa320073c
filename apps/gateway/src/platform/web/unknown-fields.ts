import * as z from 'zod';

/**
 * The fields of `value` that `schema` does not declare, as dotted paths (`quoteRef`,
 * `payment.financecode`, `readings.0.pth`): wherever a `z.object()` meets an object in the input,
 * each key it has no place for. zod drops those keys without a word, so a caller who misspells an
 * optional field (`quoteRef` for `quoteReference`) would be answered as if it had not been sent;
 * the API refuses them instead (apiRoute). An object with a catchall (`z.looseObject`,
 * `.catchall()`) or a record takes any key; its values are still looked into.
 *
 * A union is looked at through the first option the value fits; when it fits none (zod will say
 * why), a key is unknown only if no option declares it.
 */
export function unknownFields(schema: z.core.$ZodType, value: unknown, path: readonly string[] = []): string[] {
  const def = schema._zod.def as z.core.$ZodTypeDef;
  const inner = (next: z.core.$ZodType) => unknownFields(next, value, path);
  switch (def.type) {
    case 'object': {
      if (!isObject(value)) return [];
      const { shape, catchall } = def as z.core.$ZodObjectDef;
      return Object.entries(value).flatMap(([key, item]) => {
        const field = Object.hasOwn(shape, key) ? shape[key] : catchall;
        return field ? unknownFields(field, item, [...path, key]) : [[...path, key].join('.')];
      });
    }
    case 'record': {
      if (!isObject(value)) return [];
      const { valueType } = def as z.core.$ZodRecordDef;
      return Object.entries(value).flatMap(([key, item]) => unknownFields(valueType, item, [...path, key]));
    }
    case 'array': {
      if (!Array.isArray(value)) return [];
      const { element } = def as z.core.$ZodArrayDef;
      return value.flatMap((item, index) => unknownFields(element, item, [...path, String(index)]));
    }
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      return inner((def as z.core.$ZodOptionalDef).innerType);
    case 'pipe':
      return inner((def as z.core.$ZodPipeDef).in);
    case 'lazy':
      return inner((def as z.core.$ZodLazyDef).getter());
    case 'intersection': {
      const { left, right } = def as z.core.$ZodIntersectionDef;
      return unknownToAll([left, right], value, path);
    }
    case 'union': {
      const { options } = def as z.core.$ZodUnionDef;
      const fitting = options.find((option) => z.safeParse(option, value).success);
      return fitting ? inner(fitting) : unknownToAll(options, value, path);
    }
    default:
      return [];
  }
}

/** The fields none of the schemas declares. */
function unknownToAll(schemas: readonly z.core.$ZodType[], value: unknown, path: readonly string[]): string[] {
  const [first, ...rest] = schemas.map((schema) => unknownFields(schema, value, path));
  return (first ?? []).filter((field) => rest.every((unknown) => unknown.includes(field)));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
