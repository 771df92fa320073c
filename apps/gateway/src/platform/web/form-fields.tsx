import type { ComponentChildren } from 'preact';

/**
 * Form fields in one accessible shape: a label, an optional hint, the error next to the field
 * (announced with it through aria-describedby), and the value a failed submission put back.
 * The id is the field's name, so the error summary's links (#name) land on the field.
 */
interface FieldProps {
  name: string;
  label: ComponentChildren;
  hint?: ComponentChildren;
  error?: string;
}

function describedBy(name: string, hint: unknown, error: unknown): string | undefined {
  return [hint ? `${name}-hint` : '', error ? `${name}-error` : ''].filter(Boolean).join(' ') || undefined;
}

function FieldFrame({ error, children }: { name: string; error?: string; children: ComponentChildren }) {
  return <div class={error ? 'form-group form-group--error' : 'form-group'}>{children}</div>;
}

function HintAndError({ name, hint, error }: Omit<FieldProps, 'label'>) {
  return (
    <>
      {hint ? (
        <span class="hint" id={`${name}-hint`}>
          {hint}
        </span>
      ) : null}
      {error ? (
        <span class="field-error" id={`${name}-error`}>
          <span class="visually-hidden">Error:</span> {error}
        </span>
      ) : null}
    </>
  );
}

export function TextField({
  name,
  label,
  hint,
  error,
  value,
  inputMode,
  autocomplete,
  width,
}: FieldProps & {
  value?: string;
  inputMode?: 'numeric' | 'text';
  autocomplete?: string;
  /** A narrower box for short answers such as a size or a code. */
  width?: 'short' | 'medium';
}) {
  return (
    <FieldFrame name={name} error={error}>
      <label for={name}>{label}</label>
      <HintAndError name={name} hint={hint} error={error} />
      <input
        type="text"
        id={name}
        name={name}
        value={value ?? ''}
        inputMode={inputMode}
        autocomplete={autocomplete ?? 'off'}
        class={width ? `input--${width}` : undefined}
        aria-describedby={describedBy(name, hint, error)}
        aria-invalid={error ? 'true' : undefined}
      />
    </FieldFrame>
  );
}

export function SelectField({
  name,
  label,
  hint,
  error,
  value,
  options,
  placeholder,
}: FieldProps & { value?: string; options: Array<{ value: string; label: string }>; placeholder: string }) {
  return (
    <FieldFrame name={name} error={error}>
      <label for={name}>{label}</label>
      <HintAndError name={name} hint={hint} error={error} />
      <select
        id={name}
        name={name}
        aria-describedby={describedBy(name, hint, error)}
        aria-invalid={error ? 'true' : undefined}
      >
        <option value="">{placeholder}</option>
        {options.map((option) => (
          <option key={option.value} value={option.value} selected={option.value === value}>
            {option.label}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}

/**
 * A radio group as a fieldset whose legend asks the question. Each option may carry follow-up
 * fields shown beneath it (always visible, so the form works without JavaScript).
 */
export function RadioGroup({
  name,
  label,
  hint,
  error,
  value,
  options,
}: FieldProps & {
  value?: string;
  options: Array<{ value: string; label: string; hint?: string; children?: ComponentChildren }>;
}) {
  return (
    <FieldFrame name={name} error={error}>
      <fieldset aria-describedby={describedBy(name, hint, error)}>
        <legend>{label}</legend>
        <HintAndError name={name} hint={hint} error={error} />
        {options.map((option, index) => {
          // The first radio carries the name as its id, so the error summary's link lands on the group.
          const id = index === 0 ? name : `${name}-${option.value}`;
          return (
            <div class="radio" key={option.value}>
              <input
                type="radio"
                id={id}
                name={name}
                value={option.value}
                checked={option.value === value}
                aria-describedby={option.hint ? `${id}-item-hint` : undefined}
              />
              <label for={id}>{option.label}</label>
              {option.hint ? (
                <span class="hint" id={`${id}-item-hint`}>
                  {option.hint}
                </span>
              ) : null}
              {option.children ? <div class="radio__details">{option.children}</div> : null}
            </div>
          );
        })}
      </fieldset>
    </FieldFrame>
  );
}

export function CheckboxField({
  name,
  label,
  hint,
  error,
  checked,
  value = 'yes',
}: FieldProps & { checked?: boolean; value?: string }) {
  return (
    <FieldFrame name={name} error={error}>
      <HintAndError name={name} hint={hint} error={error} />
      <div class="checkbox">
        <input
          type="checkbox"
          id={name}
          name={name}
          value={value}
          checked={checked}
          aria-describedby={describedBy(name, hint, error)}
          aria-invalid={error ? 'true' : undefined}
        />
        <label for={name}>{label}</label>
      </div>
    </FieldFrame>
  );
}

export function FileField({ name, label, hint, error, accept }: FieldProps & { accept: string }) {
  return (
    <FieldFrame name={name} error={error}>
      <label for={name}>{label}</label>
      <HintAndError name={name} hint={hint} error={error} />
      <input
        type="file"
        id={name}
        name={name}
        accept={accept}
        aria-describedby={describedBy(name, hint, error)}
        aria-invalid={error ? 'true' : undefined}
      />
    </FieldFrame>
  );
}

/** Several lines of free text: a reason a customer will read, a description. */
export function TextAreaField({
  name,
  label,
  hint,
  error,
  value,
  rows = 4,
}: FieldProps & { value?: string; rows?: number }) {
  return (
    <FieldFrame name={name} error={error}>
      <label for={name}>{label}</label>
      <HintAndError name={name} hint={hint} error={error} />
      <textarea
        id={name}
        name={name}
        rows={rows}
        aria-describedby={describedBy(name, hint, error)}
        aria-invalid={error ? 'true' : undefined}
      >
        {value ?? ''}
      </textarea>
    </FieldFrame>
  );
}
