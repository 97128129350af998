"""A plain message for every failure and warning code, in Vietnamese and English.

The words a border officer reads (the summary, the CLI, a warning's ``message()``): one table,
:data:`MESSAGES`, with an entry for every :class:`~vaxpass_core.errors.Code`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from .errors import Code


if TYPE_CHECKING:
    from collections.abc import Mapping


__all__ = ["MESSAGES", "message"]

#: A plain message per failure code: (Vietnamese, English).
MESSAGES: Final[Mapping[Code, tuple[str, str]]] = {
    Code.HC1_PREFIX: (
        "Mã QR không phải chứng nhận y tế HC1",
        "The QR code is not an HC1 health certificate",
    ),
    Code.HC1_BASE45: (
        "Mã QR bị hỏng (mã hoá Base45 sai)",
        "The QR code is damaged (bad Base45 encoding)",
    ),
    Code.HC1_ZLIB: ("Mã QR bị hỏng (dữ liệu nén sai)", "The QR code is damaged (bad compression)"),
    Code.HC1_TOO_LARGE: ("Mã QR chứa quá nhiều dữ liệu", "The QR code holds too much data"),
    Code.CBOR_MALFORMED: ("Dữ liệu chứng nhận bị hỏng", "The certificate data is corrupt"),
    Code.COSE_MALFORMED: (
        "Cấu trúc chữ ký của chứng nhận không hợp lệ",
        "The certificate's signature structure is malformed",
    ),
    Code.COSE_ALGORITHM: (
        "Thuật toán chữ ký không được chấp nhận",
        "The signature algorithm is not accepted",
    ),
    Code.CWT_CLAIMS: (
        "Chứng nhận thiếu hoặc sai thông tin bắt buộc (ngày cấp, ngày hết hạn, nội dung)",
        "The certificate lacks or garbles required data (dates, content)",
    ),
    Code.KEY_UNKNOWN: (
        "Không rõ cơ quan ký: khoá ký không có trong danh sách tin cậy",
        "Unknown signer: the signing key is not in the trust list",
    ),
    Code.KEY_USAGE: (
        "Khoá ký không được phép ký loại chứng nhận này",
        "The signing key may not sign this type of certificate",
    ),
    Code.KEY_EXPIRED: (
        "Chứng thư của cơ quan ký đã hết hạn hoặc chưa có hiệu lực",
        "The signer's certificate has expired or is not yet valid",
    ),
    Code.KEY_VALIDITY: (
        "Thời hạn của chứng nhận vượt ra ngoài thời hạn chứng thư của cơ quan ký",
        "The certificate's validity lies outside its signer's certificate",
    ),
    Code.SIGNATURE_INVALID: (
        "Chữ ký không hợp lệ: chứng nhận có thể đã bị sửa đổi",
        "The signature is invalid: the certificate may have been altered",
    ),
    Code.TIME_EXPIRED: ("Chứng nhận đã hết hạn", "The certificate has expired"),
    Code.TIME_NOT_YET_VALID: (
        "Chứng nhận chưa có hiệu lực (ngày cấp ở tương lai)",
        "The certificate is not valid yet (issued in the future)",
    ),
    Code.SCHEMA_INVALID: (
        "Nội dung chứng nhận không đúng định dạng EU DCC",
        "The certificate content does not follow the EU DCC format",
    ),
    Code.VALUESET_UNKNOWN: (
        "Có mã (vắc xin, xét nghiệm, ...) không nằm trong danh mục chuẩn",
        "A code (vaccine, test, ...) is not in the standard value sets",
    ),
    Code.FACILITY_MISSING: (
        "Thiếu chữ ký của cơ sở tiêm chủng",
        "The vaccination facility's signature is missing",
    ),
    Code.FACILITY_UNKNOWN: (
        "Cơ sở tiêm chủng không có trong danh sách tin cậy",
        "The vaccination facility is not in the trust list",
    ),
    Code.FACILITY_SIGNATURE: (
        "Chữ ký của cơ sở tiêm chủng không hợp lệ",
        "The vaccination facility's signature is invalid",
    ),
    Code.FACILITY_MISMATCH: (
        "Cơ sở tiêm chủng đã ký một hồ sơ khác với hồ sơ trong chứng nhận",
        "The vaccination facility signed a different record than this certificate holds",
    ),
    Code.FACILITY_EXPIRED: (
        "Chứng thư của cơ sở tiêm chủng không có hiệu lực khi ký",
        "The vaccination facility's certificate was not valid when it signed",
    ),
    Code.FACILITY_REVOKED: (
        "Chứng thư của cơ sở tiêm chủng đã bị thu hồi",
        "The vaccination facility's certificate has been revoked",
    ),
    Code.REVOKED: ("Chứng nhận đã bị thu hồi", "The certificate has been revoked"),
    Code.RECORD_INVALID: ("Hồ sơ tiêm chủng không hợp lệ", "The vaccination record is invalid"),
    Code.UVCI_INVALID: ("Mã số chứng nhận không hợp lệ", "The certificate number is invalid"),
    Code.QR_NOT_FOUND: ("Không tìm thấy mã QR trong ảnh", "No QR code was found in the image"),
    Code.QR_AMBIGUOUS: (
        "Ảnh có nhiều mã QR chứng nhận khác nhau",
        "The image holds several different passports",
    ),
    Code.BATCH_LINE: (
        "Dòng dữ liệu không phải đối tượng JSON",
        "The input line is not a JSON object",
    ),
    Code.BATCH_INTERNAL: ("Lỗi nội bộ khi cấp chứng nhận", "Internal error while issuing"),
    Code.SCHEMA_DATE_TIME: (
        "Có ngày được ghi kèm giờ (ngoài chuẩn); chỉ phần ngày được dùng",
        "A date is written with a time of day (non-standard); only the date is used",
    ),
    Code.SCHEMA_NULL: (
        "Có trường để trống (null, ngoài chuẩn); được coi như không có",
        "A field is given as null (non-standard); it is read as absent",
    ),
    Code.DCC_FUTURE_DATE: (
        "Có ngày (sinh, tiêm, xét nghiệm) sau ngày cấp chứng nhận",
        "A date (birth, vaccination, test) is after the certificate was issued",
    ),
    Code.FACILITY_NOT_YET_VALID: (
        "Chữ ký của cơ sở tiêm chủng ghi ngày sau ngày cấp hoặc ở tương lai",
        "The vaccination facility's signature is dated after issue or in the future",
    ),
    Code.VALUESETS_INVALID: (
        "Danh mục mã chuẩn không đọc được",
        "The value sets could not be read",
    ),
    Code.CERTLOGIC_INVALID: ("Quy tắc nhập cảnh viết sai", "The business rule is ill-formed"),
    Code.CERTLOGIC_EVALUATION: ("Không đánh giá được quy tắc", "The business rule could not run"),
    Code.CERTLOGIC_LIMIT: ("Quy tắc quá phức tạp", "The business rule does too much work"),
    Code.RULE_INVALID: ("Tệp quy tắc không hợp lệ", "The rule file is invalid"),
    Code.QR_TOO_LARGE: ("Ảnh quá lớn để đọc", "The picture is too large to read"),
    Code.COSE_CRIT: (
        "Chữ ký của chứng nhận yêu cầu phần mở rộng không được hỗ trợ",
        "The certificate's signature demands an extension this verifier does not support",
    ),
    Code.TRUST_INVALID: (
        "Dữ liệu tin cậy (danh sách chứng thư, danh sách thu hồi) không đọc được",
        "The trust data (trust list, revocation list) cannot be read",
    ),
}


def message(code: Code, lang: str = "en") -> str:
    """The plain message for *code* in ``"vi"`` or ``"en"``."""
    vi, en = MESSAGES[Code(code)]
    if lang == "vi":
        return vi
    if lang == "en":
        return en
    raise ValueError(f"lang must be 'vi' or 'en', not {lang!r}")
