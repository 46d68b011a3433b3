import { test } from "node:test";
import assert from "node:assert/strict";
import {
  optionKind,
  optionApplies,
  numberText,
  sizeWords,
  numberHint,
  fileHint,
  fileAccept,
  checkNumber,
  checkText,
  checkFile,
  orderValues,
  valueLines,
} from "../js/logic/option-values.js";

const height = {
  id: "body-height",
  label: "Body height",
  kind: "number",
  required: true,
  number: { unit: "cm", minimum: "140", maximum: "210", step: "1", default: null },
  only_when: { option: "geometry", choices: ["made-to-measure"] },
};
const inseam = {
  id: "inseam",
  label: "Inseam",
  kind: "number",
  required: true,
  number: { unit: "cm", minimum: "60.000000", maximum: "100", step: "0.5" },
  only_when: { option: "geometry", choices: ["made-to-measure"] },
};
const marking = {
  id: "marking",
  label: "Engraved marking",
  kind: "text",
  required: false,
  text: { max_length: 8, pattern: "[A-Za-z0-9 .\\-/]+", pattern_hint: "letters, digits, spaces and the signs . - /" },
};
const cad = {
  id: "cad-file",
  label: "Your CAD file",
  kind: "file",
  required: true,
  file: { media_types: ["model/step", "model/stl", "image/vnd.dxf", "application/pdf"], max_bytes: 20000000 },
};
const product = {
  id: "p",
  options: [
    { id: "geometry", label: "Geometry", required: true, default: "size-m", choices: [{ id: "size-m" }, { id: "made-to-measure" }] },
    height,
    inseam,
    marking,
    cad,
  ],
};

test("an option without a kind is a choice; a condition holds only for its choices", () => {
  assert.equal(optionKind({}), "choice");
  assert.equal(optionKind(height), "number");
  assert.equal(optionApplies(height, { geometry: "size-m" }), false);
  assert.equal(optionApplies(height, { geometry: "made-to-measure" }), true);
  assert.equal(optionApplies(marking, {}), true);
});

test("numbers, sizes and hints read as people write them", () => {
  assert.equal(numberText("60.000000"), "60");
  assert.equal(numberText("84.50"), "84.5");
  assert.equal(numberText("100"), "100");
  assert.equal(sizeWords(820), "820 bytes");
  assert.equal(sizeWords(35_200), "35.2 kB");
  assert.equal(sizeWords(20_000_000), "20 MB");
  assert.equal(numberHint(inseam.number), "From 60 to 100 cm, in steps of 0.5.");
  assert.equal(fileHint(cad.file), "A STEP, STL, DXF or PDF file of up to 20 MB.");
  assert.equal(fileAccept({ media_types: ["image/jpeg"] }), "image/jpeg,.jpg,.jpeg");
});

test("a number is checked against its range and step before it is sent", () => {
  assert.equal(checkNumber(height, ""), "Enter body height in cm.");
  assert.equal(checkNumber(height, "tall"), "Enter a number, such as 140.");
  assert.equal(checkNumber(height, "230"), "Enter a number from 140 to 210 cm, in steps of 1.");
  assert.equal(checkNumber(inseam, "84,5"), "", "a comma is a decimal point");
  assert.equal(checkNumber(inseam, "84.2"), "Use steps of 0.5 cm (such as 60).");
  assert.equal(checkNumber({ ...inseam, required: false }, " "), "");
});

test("a text is checked for its length, one line and the allowed characters", () => {
  assert.equal(checkText(marking, ""), "", "optional");
  assert.equal(checkText({ ...marking, required: true }, "  "), "Enter engraved marking.");
  assert.equal(checkText(marking, "BR-7 / A"), "");
  assert.equal(checkText(marking, "BR-7 / Ann"), "Use at most 8 characters.");
  assert.equal(checkText(marking, "A&B"), "Use letters, digits, spaces and the signs . - / only.");
  assert.equal(checkText(marking, "a\nb"), "Write it on one line.");
});

test("a file is checked by its type or name ending and its size before it is uploaded", () => {
  assert.equal(checkFile(cad, { name: "Bracket.STP", size: 4000, type: "" }), "");
  assert.equal(checkFile(cad, { name: "scan", size: 4000, type: "application/pdf" }), "");
  assert.equal(
    checkFile(cad, { name: "photo.png", size: 4000, type: "image/png" }),
    "“photo.png” is not one of the accepted files. A STEP, STL, DXF or PDF file of up to 20 MB.",
  );
  assert.equal(checkFile(cad, { name: "big.step", size: 25_300_000 }), "“big.step” has 25.3 MB; at most 20 MB is accepted.");
  assert.equal(checkFile(cad, { name: "empty.step", size: 0 }), "“empty.step” is empty.");
});

test("the order's values are those of the options that apply, without empty ones", () => {
  const raw = {
    numbers: { "body-height": "181", inseam: "84,5" },
    texts: { marking: "" },
    files: { "cad-file": "upload-1" },
  };
  assert.deepEqual(orderValues(product, { geometry: "size-m" }, raw), {
    numbers: {},
    texts: {},
    files: { "cad-file": "upload-1" },
  });
  assert.deepEqual(orderValues(product, { geometry: "made-to-measure" }, raw).numbers, {
    "body-height": "181",
    inseam: "84.5",
  });
});

test("an order's values read in words, labelled by the product, ids when it is not known", () => {
  const order = {
    numbers: { inseam: "84.500000" },
    texts: { marking: "BR-7" },
    files: { "cad-file": { upload_id: "u1", name: "bracket.step", size: 48213 } },
  };
  assert.deepEqual(
    valueLines(product, order).map((line) => [line.label, line.text]),
    [["Inseam", "84.5 cm"], ["Engraved marking", "BR-7"], ["Your CAD file", "bracket.step (48.2 kB)"]],
  );
  assert.equal(valueLines(product, order)[2].file?.upload_id, "u1");
  assert.deepEqual(valueLines(null, order).map((line) => line.label), ["inseam", "marking", "cad-file"]);
  assert.deepEqual(valueLines(product, { options: { geometry: "size-m" } }), []);
});
