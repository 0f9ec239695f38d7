/** The decoded readings the redactor matches against, and how a decoder builds one. */

/** A decoded reading of a text: per code unit, the span [start, end) of the original it came from (none: the original). */
export interface View {
  text: string;
  start?: Int32Array;
  end?: Int32Array;
}

/** Builds a view unit by unit: each emitted string spans [from, to) of `source`'s text. */
export function viewBuilder(source: View, length: number) {
  const start = new Int32Array(length);
  const end = new Int32Array(length);
  let text = '';
  let n = 0;
  return {
    emit(units: string, from: number, to: number) {
      const s = source.start ? source.start[from]! : from;
      const e = source.end ? source.end[to - 1]! : to;
      for (let k = 0; k < units.length; k++) {
        start[n] = s;
        end[n] = e;
        n++;
      }
      text += units;
    },
    /** `source`'s text from `from` to `to`, as it is. */
    copy(from: number, to: number) {
      for (let k = from; k < to; k++) {
        start[n] = source.start ? source.start[k]! : k;
        end[n] = source.end ? source.end[k]! : k + 1;
        n++;
      }
      text += source.text.slice(from, to);
    },
    done(): View {
      return { text, start: start.subarray(0, n), end: end.subarray(0, n) };
    },
  };
}
