/*
 * The province generator: a synthetic Hà Giang province as at the end of a
 * year, made deterministically from a seed.
 *
 * Everything is planned in memory first (organizations, members, events,
 * discipline, inspections and supervisions, ratings), then emitted in an order
 * where every referenced record comes before the records that refer to it.
 * Choices use integer arithmetic on our own PRNG (splitmix64 seeding
 * xoshiro256**), one stream per phase, so the same options give the same
 * records, byte for byte, on every machine. The only floating-point step is
 * turning `scale` into millionths.
 *
 * At scale 1.0 the records reproduce the published 2023 figures by
 * RECORDS.md's counting rules: 3,290 inspections by committees and cells
 * covering 583 organizations and 3,456 members; 3,574 supervisions covering
 * 1,073 organizations and 3,363 members; 8 organizations and 258 members
 * disciplined. All people are invented from syllable lists.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hoso/gen.h"
#include "hoso/id.h"
#include "common.h"

#define NELEMS(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define LIST(a) (a), NELEMS(a)

/* ------------------------------------------------------------------ PRNG */

typedef struct {
	uint64_t s[4];
} rng;

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* Independent streams: one per phase, so a change in one phase leaves the others alone. */
static void rng_seed(rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = seed ^ (stream * 0xD1B54A32D192ED03ULL);
	int i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&x);
}

static uint64_t rotl64(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rotl64(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl64(s[3], 45);
	return result;
}

/* 0 <= result < n (n > 0). */
static int rng_below(rng *r, int n)
{
	if (n <= 1)
		return 0;
	return (int)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* lo <= result <= hi. */
static int rng_range(rng *r, int lo, int hi)
{
	return hi <= lo ? lo : lo + rng_below(r, hi - lo + 1);
}

/* 1 with probability permille / 1000. */
static int rng_pm(rng *r, int permille)
{
	return rng_below(r, 1000) < permille;
}

/* ----------------------------------------------------------------- dates */

/* Days since 1970-01-01 (H. Hinnant's algorithms). */
static int32_t days_from_civil(int y, int m, int d)
{
	int era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + (int)doe - 719468);
}

static void civil_from_days(int32_t z, int *y, int *m, int *d)
{
	int era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int y, int m)
{
	static const int dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dim[m - 1];
}

/* `day` plus `n` calendar months; a day past the month's end becomes its last day. */
static int32_t add_months(int32_t day, int n)
{
	int y, m, d, total;

	civil_from_days(day, &y, &m, &d);
	total = y * 12 + (m - 1) + n;
	y = total / 12;
	m = total % 12 + 1;
	if (d > days_in_month(y, m))
		d = days_in_month(y, m);
	return days_from_civil(y, m, d);
}

static int year_of(int32_t day)
{
	int y, m, d;
	civil_from_days(day, &y, &m, &d);
	return y;
}

static void date_str(char out[11], int32_t day)
{
	int y, m, d;

	civil_from_days(day, &y, &m, &d);
	out[0] = (char)('0' + y / 1000 % 10);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = '\0';
}

/* ------------------------------------------------------------ the province */

static const char PROVINCE_CODE[] = "02";
static const char PROVINCE_NAME[] = "Tỉnh Hà Giang";

static const char *const c024[] = { "Quang Trung", "Trần Phú", "Ngọc Hà", "Nguyễn Trãi", "Minh Khai",
	"Ngọc Đường", "Phương Độ", "Phương Thiện" };
static const char *const c026[] = { "Đồng Văn", "Phó Bảng", "Lũng Cú", "Má Lé", "Lũng Táo", "Phố Là",
	"Thài Phìn Tủng", "Sủng Là", "Xà Phìn", "Tả Phìn", "Tả Lủng", "Phố Cáo", "Sính Lủng", "Sảng Tủng",
	"Lũng Thầu", "Hố Quáng Phìn", "Vần Chải", "Lũng Phìn", "Sủng Trái" };
static const char *const c027[] = { "Mèo Vạc", "Thượng Phùng", "Pải Lủng", "Xín Cái", "Pả Vi",
	"Giàng Chu Phìn", "Sủng Trà", "Sủng Máng", "Sơn Vĩ", "Tả Lủng", "Cán Chu Phìn", "Lũng Pù",
	"Lũng Chinh", "Tát Ngà", "Nậm Ban", "Khâu Vai", "Niêm Tòng", "Niêm Sơn" };
static const char *const c028[] = { "Yên Minh", "Thắng Mố", "Phú Lũng", "Sủng Tráng", "Bạch Đích",
	"Na Khê", "Sủng Thài", "Hữu Vinh", "Lao Và Chải", "Mậu Duệ", "Đông Minh", "Mậu Long", "Ngam La",
	"Ngọc Long", "Đường Thượng", "Lũng Hồ", "Du Tiến", "Du Già" };
static const char *const c029[] = { "Tam Sơn", "Bát Đại Sơn", "Nghĩa Thuận", "Cán Tỷ", "Cao Mã Pờ",
	"Thanh Vân", "Tùng Vài", "Đông Hà", "Quản Bạ", "Lùng Tám", "Quyết Tiến", "Tả Ván", "Thái An" };
static const char *const c030[] = { "Vị Xuyên", "Nông trường Việt Lâm", "Minh Tân", "Thuận Hòa",
	"Tùng Bá", "Thanh Thủy", "Thanh Đức", "Phong Quang", "Xín Chải", "Phương Tiến", "Lao Chải",
	"Cao Bồ", "Đạo Đức", "Thượng Sơn", "Linh Hồ", "Quảng Ngần", "Việt Lâm", "Ngọc Linh", "Ngọc Minh",
	"Bạch Ngọc", "Trung Thành", "Kim Thạch", "Phú Linh", "Kim Linh" };
static const char *const c031[] = { "Yên Phú", "Minh Sơn", "Giáp Trung", "Yên Định", "Yên Phong",
	"Lạc Nông", "Phú Nam", "Yên Cường", "Thượng Tân", "Đường Âm", "Đường Hồng", "Phiêng Luông",
	"Minh Ngọc" };
static const char *const c032[] = { "Vinh Quang", "Bản Máy", "Thàng Tín", "Thèn Chu Phìn", "Pố Lồ",
	"Bản Phùng", "Túng Sán", "Chiến Phố", "Đản Ván", "Tụ Nhân", "Tân Tiến", "Nàng Đôn", "Pờ Ly Ngài",
	"Sán Xả Hồ", "Bản Luốc", "Ngàm Đăng Vài", "Bản Nhùng", "Tả Sử Choóng", "Nậm Dịch", "Hồ Thầu",
	"Nam Sơn", "Nậm Ty", "Thông Nguyên", "Nậm Khòa" };
static const char *const c033[] = { "Cốc Pài", "Nàn Xỉn", "Bản Díu", "Chí Cà", "Xín Mần",
	"Thèn Phàng", "Trung Thịnh", "Pà Vầy Sủ", "Ngán Chiên", "Bản Ngò", "Cốc Rế", "Thu Tà",
	"Quảng Nguyên", "Nấm Dẩn", "Tả Nhìu", "Nà Chì", "Khuôn Lùng", "Chế Là" };
static const char *const c034[] = { "Việt Quang", "Vĩnh Tuy", "Tân Lập", "Tân Thành", "Đồng Tiến",
	"Đồng Tâm", "Tân Quang", "Thượng Bình", "Hữu Sản", "Kim Ngọc", "Việt Vinh", "Bằng Hành",
	"Quang Minh", "Liên Hiệp", "Vô Điếm", "Việt Hồng", "Hùng An", "Đức Xuân", "Tiên Kiều",
	"Vĩnh Hảo", "Vĩnh Phúc", "Đồng Yên", "Đông Thành" };
static const char *const c035[] = { "Yên Bình", "Tân Trịnh", "Tiên Yên", "Vĩ Thượng", "Xuân Giang",
	"Bằng Lang", "Yên Hà", "Hương Sơn", "Xuân Minh", "Tiên Nguyên", "Tân Nam", "Bản Rịa",
	"Yên Thành", "Nà Khương", "Tân Bắc" };

typedef struct {
	const char *code;
	const char *name;     /* the unit's name */
	const char *lname;    /* as inside a sentence: "huyện Đồng Văn" */
	const char *short_name;
	const char *abbr;     /* of its committee in decision numbers: HU (Huyện ủy), TU (Thành ủy) */
	int nspecial;         /* the first communes are wards (city) or townships */
	int highland;
	const char *const *communes;
	int ncommunes;
} district_def;

static const district_def districts[] = {
	{ "024", "Thành phố Hà Giang", "thành phố Hà Giang", "Hà Giang", "TU", 5, 0, LIST(c024) },
	{ "026", "Huyện Đồng Văn", "huyện Đồng Văn", "Đồng Văn", "HU", 2, 1, LIST(c026) },
	{ "027", "Huyện Mèo Vạc", "huyện Mèo Vạc", "Mèo Vạc", "HU", 1, 1, LIST(c027) },
	{ "028", "Huyện Yên Minh", "huyện Yên Minh", "Yên Minh", "HU", 1, 1, LIST(c028) },
	{ "029", "Huyện Quản Bạ", "huyện Quản Bạ", "Quản Bạ", "HU", 1, 1, LIST(c029) },
	{ "030", "Huyện Vị Xuyên", "huyện Vị Xuyên", "Vị Xuyên", "HU", 2, 0, LIST(c030) },
	{ "031", "Huyện Bắc Mê", "huyện Bắc Mê", "Bắc Mê", "HU", 1, 0, LIST(c031) },
	{ "032", "Huyện Hoàng Su Phì", "huyện Hoàng Su Phì", "Hoàng Su Phì", "HU", 1, 1, LIST(c032) },
	{ "033", "Huyện Xín Mần", "huyện Xín Mần", "Xín Mần", "HU", 1, 1, LIST(c033) },
	{ "034", "Huyện Bắc Quang", "huyện Bắc Quang", "Bắc Quang", "HU", 2, 0, LIST(c034) },
	{ "035", "Huyện Quang Bình", "huyện Quang Bình", "Quang Bình", "HU", 1, 0, LIST(c035) },
};
#define NDISTRICTS NELEMS(districts)
#define NUNITS (NDISTRICTS + 1)

static const char UNIT0_NAME[] = "Cơ quan Tỉnh ủy Hà Giang";

static const char *unit_code(int unit)
{
	return unit == 0 ? PROVINCE_CODE : districts[unit - 1].code;
}

/* ------------------------------------------------------------- the codes */

enum { L_TINH, L_CTCS, L_DBCS, L_CBCS, L_DBBP, L_CBTT, L_TO };
static const char *const level_codes[] = { "dang_bo_tinh", "dang_bo_cap_tren_co_so", "dang_bo_co_so",
	"chi_bo_co_so", "dang_bo_bo_phan", "chi_bo_truc_thuoc", "to_dang" };

enum { S_NONE, S_XA, S_PHUONG, S_THI_TRAN, S_THON_BAN, S_TO_DAN_PHO, S_CQ_DANG, S_CQ_NN, S_GIAO_DUC,
	S_Y_TE, S_SN_KHAC, S_DNNN, S_DN_NGOAI, S_HTX, S_QUAN_DOI, S_CONG_AN, S_BIEN_PHONG };
static const char *const sector_codes[] = { NULL, "xa", "phuong", "thi_tran", "thon_ban", "to_dan_pho",
	"co_quan_dang_doan_the", "co_quan_nha_nuoc", "su_nghiep_giao_duc", "su_nghiep_y_te",
	"su_nghiep_khac", "doanh_nghiep_nha_nuoc", "doanh_nghiep_ngoai_nha_nuoc", "hop_tac_xa", "quan_doi",
	"cong_an", "bien_phong" };

enum { ST_ACTIVE, ST_MIEN, ST_TAM_DI, ST_DINH_CHI, ST_CHUYEN_DI, ST_TU_TRAN, ST_XOA_TEN, ST_KHAI_TRU,
	ST_RA_KHOI };
static const char *const status_codes[] = { "dang_sinh_hoat", "mien_sinh_hoat", "tam_thoi_di",
	"dinh_chi", "chuyen_di", "tu_tran", "xoa_ten", "khai_tru", "ra_khoi_dang" };

enum { EV_KET_NAP, EV_CHINH_THUC, EV_XOA_TEN_DU_BI, EV_CHUYEN_DEN, EV_CHUYEN_DI, EV_CHUYEN_DI_TAM,
	EV_MIEN, EV_TANG_HUY_HIEU, EV_TU_TRAN, EV_XOA_TEN, EV_KHAI_TRU, EV_RA_KHOI };
static const char *const event_codes[] = { "ket_nap", "chinh_thuc", "xoa_ten_du_bi", "chuyen_den",
	"chuyen_di", "chuyen_di_tam_thoi", "mien_sinh_hoat", "tang_huy_hieu", "tu_tran", "xoa_ten",
	"khai_tru", "ra_khoi_dang" };

enum { R_CAP_UY, R_CHI_BO, R_UBKT };
static const char *const role_codes[] = { "cap_uy", "chi_bo", "ubkt" };

enum { K_THUONG_XUYEN, K_DAU_HIEU, K_KT_GS_KL, K_TAI_CHINH, K_TO_CAO, K_KHIEU_NAI };
static const char *const insp_kind_codes[] = { "thuong_xuyen", "dau_hieu_vi_pham", "thuc_hien_kt_gs_kl",
	"tai_chinh_dang", "to_cao", "khieu_nai_ky_luat" };
static const char *const sup_kind_codes[] = { "thuong_xuyen", "chuyen_de" };

enum { C_KHONG, C_KHUYET_DIEM, C_CHUA_DEN_MUC, C_PHAI_KY_LUAT };
static const char *const conclusion_codes[] = { "khong_vi_pham", "co_khuyet_diem",
	"vi_pham_chua_den_muc_ky_luat", "vi_pham_phai_ky_luat" };

enum { F_KHIEN_TRACH, F_CANH_CAO, F_CACH_CHUC, F_KHAI_TRU, F_GIAI_TAN };
static const char *const form_codes[] = { "khien_trach", "canh_cao", "cach_chuc", "khai_tru", "giai_tan" };

enum { B_CHI_BO, B_DANG_UY_CO_SO, B_BAN_THUONG_VU, B_UBKT, B_CAP_UY };
static const char *const body_codes[] = { "chi_bo", "dang_uy_co_so", "ban_thuong_vu", "ubkt", "cap_uy" };

enum { RT_HTXSNV, RT_HTTNV, RT_HTNV, RT_KHTNV };
static const char *const rating_codes[] = { "htxsnv", "httnv", "htnv", "khtnv" };

static const char *const religion_codes[] = { "khong", "phat_giao", "cong_giao", "tin_lanh" };
static const char *const professional_codes[] = { NULL, "so_cap", "trung_cap", "cao_dang", "dai_hoc",
	"thac_si", "tien_si" };
static const char *const theory_codes[] = { NULL, "so_cap", "trung_cap", "cao_cap", "cu_nhan" };
static const char *const general_codes[] = { "12/12", "9/12", "10/10", "7/10" };

static const int badge_years[] = { 30, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90 };

/* ----------------------------------------------------------------- names */

typedef struct {
	const char *const *mid_m;
	int nmid_m;
	const char *const *mid_f;
	int nmid_f;
	const char *const *given_m;
	int ngiven_m;
	const char *const *given_f;
	int ngiven_f;
} name_style;

static const char *const kinh_mid_m[] = { "Văn", "Đức", "Minh", "Quang", "Xuân", "Hữu", "Mạnh",
	"Thành", "Ngọc", "Tiến", "Trọng", "Anh", "Văn", "Đình" };
static const char *const kinh_mid_f[] = { "Thị", "Thị Thu", "Thu", "Thanh", "Ngọc", "Thị Minh",
	"Thị Hồng", "Thị Thanh", "Thúy", "Thị" };
static const char *const kinh_given_m[] = { "Hùng", "Dũng", "Tuấn", "Hải", "Long", "Nam", "Thắng",
	"Sơn", "Hưng", "Cường", "Quang", "Trung", "Hiếu", "Đức", "Phong", "Thành", "Tiến", "Bình",
	"Minh", "Khánh", "Hòa", "Toàn", "Việt", "Huy" };
static const char *const kinh_given_f[] = { "Hoa", "Lan", "Hương", "Hằng", "Thủy", "Nga", "Mai",
	"Linh", "Trang", "Hạnh", "Huyền", "Thảo", "Yến", "Phương", "Hà", "Nhung", "Loan", "Liên",
	"Dung", "Thu" };
static const char *const tay_mid_m[] = { "Văn", "Văn", "Văn", "Đức", "Minh", "Quang" };
static const char *const tay_mid_f[] = { "Thị", "Thị", "Thị", "Thu" };
static const char *const tay_given_m[] = { "Thắng", "Chiến", "Tuyến", "Quân", "Hưởng", "Thịnh",
	"Sơn", "Khoa", "Tình", "Lợi", "Đông", "Thái", "Hiệp", "Trường", "Vượng", "Dương", "Kiên",
	"Chung", "Hoàn", "Lâm", "Pẳng", "Slinh" };
static const char *const tay_given_f[] = { "Lụa", "Nhàn", "Tươi", "Hiền", "Xuân", "Thơm", "Duyên",
	"Thắm", "Hường", "Thêu", "Nguyệt", "Chanh", "Lanh", "Hạnh", "Hoa", "Mỉn" };
static const char *const mong_mid_m[] = { "Seo", "Mí", "A", "Chứ", "Văn", "Chìn", "Sính", "Seo",
	"Mí" };
static const char *const mong_mid_f[] = { "Thị" };
static const char *const mong_given_m[] = { "Páo", "Chứ", "Sính", "Dình", "Chá", "Sử", "Lử", "Dế",
	"Tủa", "Chơ", "Vư", "Pó", "Chồ", "Dũng", "Phử", "Lềnh", "Tráng", "Giống", "Quáng", "Mua",
	"Chỉnh", "Cở", "Súa", "Hờ", "Nhà", "Xó", "Lầu", "Thề" };
static const char *const mong_given_f[] = { "Mỷ", "Dính", "Dớ", "Sua", "Mai", "Súa", "Chu", "Ly",
	"Pà", "Sía", "Dí", "Mẩy", "Xúa", "Máy", "Chía", "Say", "Khu", "Mỉ", "Già", "Lan" };
static const char *const dao_mid_m[] = { "Văn", "Văn", "Tiến", "Kim", "Quý", "Văn" };
static const char *const dao_mid_f[] = { "Thị", "Thị", "Mùi" };
static const char *const dao_given_m[] = { "Sinh", "Vần", "Phin", "Quý", "Hin", "Tả", "Chàn",
	"Phấu", "Dín", "Chản", "Quyển", "Lai", "Tòn", "Kiềm", "Chiêu", "Phú", "Siểu", "Lưu", "Dùn",
	"Sơn" };
static const char *const dao_given_f[] = { "Mẩy", "Dình", "Mùi", "Nái", "Phin", "Liều", "Xuân",
	"Kiều", "Lìn", "Chài", "Dua", "Hoa", "Slình" };

enum { NS_KINH, NS_TAY, NS_MONG, NS_DAO };
static const name_style name_styles[] = {
	{ LIST(kinh_mid_m), LIST(kinh_mid_f), LIST(kinh_given_m), LIST(kinh_given_f) },
	{ LIST(tay_mid_m), LIST(tay_mid_f), LIST(tay_given_m), LIST(tay_given_f) },
	{ LIST(mong_mid_m), LIST(mong_mid_f), LIST(mong_given_m), LIST(mong_given_f) },
	{ LIST(dao_mid_m), LIST(dao_mid_f), LIST(dao_given_m), LIST(dao_given_f) },
};

static const char *const sur_mong[] = { "Giàng", "Sùng", "Vàng", "Thào", "Lầu", "Mua", "Hầu", "Ly",
	"Vừ", "Sình", "Má", "Cứ", "Lý", "Hạng", "Tráng", "Lò" };
static const char *const sur_tay[] = { "Hoàng", "Nông", "Lường", "Ma", "Hà", "Lục", "Nguyễn",
	"Lương", "Đàm", "Vi", "Ninh", "Lý", "Âu", "Mạc", "Hoàng", "Nông" };
static const char *const sur_dao[] = { "Triệu", "Bàn", "Đặng", "Lý", "Chảo", "Phùng", "Tẩn",
	"Triệu", "Bàn" };
static const char *const sur_kinh[] = { "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đỗ", "Bùi",
	"Đặng", "Ngô", "Dương", "Đinh", "Phan", "Đào", "Hà", "Lương", "Trịnh", "Tạ", "Cao", "Nguyễn" };
static const char *const sur_nung[] = { "Nông", "Hoàng", "Vi", "Lù", "Sầm", "Lương", "Mã", "Chu",
	"Vương", "Lục", "Ngô" };
static const char *const sur_giay[] = { "Hoàng", "Lù", "Vàng", "Sần", "Lò", "Lương", "Lý" };
static const char *const sur_lachi[] = { "Vương", "Hoàng", "Lù", "Lý", "Nguyễn", "Cao" };
static const char *const sur_lolo[] = { "Lò", "Sình", "Dìn", "Mè", "Lù", "Vàng", "Lồ" };
static const char *const sur_pathen[] = { "Hoàng", "Long", "Phàn", "Lục", "Bàn", "Tài" };
static const char *const sur_boy[] = { "Hoàng", "Sẩn", "Lù", "Vương" };
static const char *const sur_pupeo[] = { "Cháng", "Sèn", "Mìn", "Phù", "Ly" };
static const char *const sur_hoa[] = { "Lưu", "Trương", "Hoàng", "Lý", "Chu", "Mã" };
static const char *const sur_phula[] = { "Ly", "Pờ", "Hờ", "Sần", "Lý" };
static const char *const sur_colao[] = { "Vần", "Sùng", "Cáo", "Hoàng", "Nguyễn" };

typedef struct {
	const char *code;
	int permille;
	int style;
	int religion;     /* a religion some of them follow (index in religion_codes) */
	const char *const *sur;
	int nsur;
} ethnic_def;

/* RECORDS.md's shares: Mông 33%, Tày 23%, Dao 15%, Kinh 13%, Nùng 10%, the rest 6%. */
static const ethnic_def ethnics[] = {
	{ "08", 330, NS_MONG, 3, LIST(sur_mong) },
	{ "02", 230, NS_TAY, 1, LIST(sur_tay) },
	{ "09", 150, NS_DAO, 1, LIST(sur_dao) },
	{ "01", 130, NS_KINH, 2, LIST(sur_kinh) },
	{ "07", 100, NS_TAY, 1, LIST(sur_nung) },
	{ "25", 20, NS_TAY, 1, LIST(sur_giay) },
	{ "38", 10, NS_TAY, 1, LIST(sur_lachi) },
	{ "04", 8, NS_KINH, 1, LIST(sur_hoa) },
	{ "43", 6, NS_TAY, 1, LIST(sur_lolo) },
	{ "46", 5, NS_TAY, 1, LIST(sur_pathen) },
	{ "49", 3, NS_TAY, 1, LIST(sur_boy) },
	{ "40", 3, NS_MONG, 1, LIST(sur_phula) },
	{ "47", 3, NS_TAY, 1, LIST(sur_colao) },
	{ "51", 2, NS_TAY, 1, LIST(sur_pupeo) },
};
#define ETH_KINH 3

/* Birthplaces outside the province, with their birth-registration codes (rule 1). */
static const struct {
	const char *code;
	const char *place;
} elsewhere[] = {
	{ "036", "huyện Hải Hậu, tỉnh Nam Định" },
	{ "034", "huyện Kiến Xương, tỉnh Thái Bình" },
	{ "025", "huyện Thanh Ba, tỉnh Phú Thọ" },
	{ "001", "huyện Thạch Thất, thành phố Hà Nội" },
	{ "008", "huyện Yên Sơn, tỉnh Tuyên Quang" },
	{ "015", "huyện Lục Yên, tỉnh Yên Bái" },
	{ "033", "huyện Khoái Châu, tỉnh Hưng Yên" },
	{ "038", "huyện Nông Cống, tỉnh Thanh Hóa" },
	{ "004", "huyện Bảo Lạc, tỉnh Cao Bằng" },
	{ "010", "huyện Bắc Hà, tỉnh Lào Cai" },
	{ "030", "huyện Kim Thành, tỉnh Hải Dương" },
	{ "037", "huyện Gia Viễn, tỉnh Ninh Bình" },
};

static const char *const outside_orgs[] = {
	"Đảng bộ huyện Bảo Lạc, tỉnh Cao Bằng", "Đảng bộ huyện Bắc Hà, tỉnh Lào Cai",
	"Đảng bộ huyện Yên Sơn, tỉnh Tuyên Quang", "Đảng bộ huyện Lục Yên, tỉnh Yên Bái",
	"Đảng bộ thành phố Thái Nguyên, tỉnh Thái Nguyên", "Đảng bộ quận Cầu Giấy, thành phố Hà Nội",
	"Đảng bộ huyện Hải Hậu, tỉnh Nam Định", "Đảng bộ thị xã Phú Thọ, tỉnh Phú Thọ",
};
static const char *const outside_temporary[] = {
	"Đảng bộ Khu công nghiệp Yên Phong, tỉnh Bắc Ninh",
	"Đảng bộ Khu công nghiệp Quang Châu, tỉnh Bắc Giang",
	"Đảng bộ thành phố Thuận An, tỉnh Bình Dương",
	"Đảng bộ phường Dịch Vọng, quận Cầu Giấy, thành phố Hà Nội",
};

/* Village names: Mông-style and Tày-style syllables, and Kinh-style names. */
static const char *const vmong_a[] = { "Lũng", "Sủng", "Má", "Séo", "Pả", "Khó", "Tả", "Phìn",
	"Chúng", "Mò", "Sà", "Xà", "Lao", "Ma", "Sín", "Sảng", "Cán", "Tìa", "Hố", "Lùng", "Pờ", "Thèn",
	"Chí", "Mã" };
static const char *const vmong_b[] = { "Cú", "Lầng", "Pờ", "Chải", "Phìn", "Tủng", "Thầu", "Sán",
	"Vài", "Lủng", "Hồ", "Tỷ", "Mò", "Pả", "Lử", "Chá", "Sính", "Dìn", "Chư", "Ván", "Pìn", "Lình",
	"Súng", "Tỉnh" };
static const char *const vtay_a[] = { "Nà", "Bản", "Khuổi", "Pác", "Nặm", "Cốc", "Khâu", "Pắc",
	"Nậm", "Tát", "Thôm", "Phiêng", "Bó", "Lùng", "Nà", "Khuổi" };
static const char *const vtay_b[] = { "Khương", "Tùn", "Vài", "Luông", "Tẩu", "Mìn", "Lầu", "Ngòa",
	"Hon", "Sảo", "Phai", "Quang", "Chang", "Đông", "Hán", "Lạn", "Ta", "Nưa", "Pục", "Mạ", "Pồng",
	"Sỏ" };
static const char *const vkinh[] = { "Tân Tiến", "Tân Thành", "Trung Tâm", "Tân Sơn", "Minh Thành",
	"Thống Nhất", "Đồng Tiến", "Quyết Thắng", "Tân Bình", "Hòa Bình", "Xuân Hòa", "Tân Lập",
	"Minh Khai", "Tiến Thắng", "Thác Ca", "Làng Mới", "Đoàn Kết", "Hợp Nhất" };

/* ----------------------------------------------------------- organizations */

typedef struct {
	const char *prefix;
	int level, sector;
	int short_name;   /* "... Đồng Văn" rather than "... huyện Đồng Văn" */
} org_tmpl;

/* The district-level grassroots organizations, most important first (kept first at small scales). */
static const org_tmpl district_agencies[] = {
	{ "Đảng bộ Cơ quan Đảng - Đoàn thể", L_DBCS, S_CQ_DANG, 0 },
	{ "Đảng bộ Cơ quan Chính quyền", L_DBCS, S_CQ_NN, 0 },
	{ "Đảng bộ Quân sự", L_DBCS, S_QUAN_DOI, 0 },
	{ "Đảng bộ Công an", L_DBCS, S_CONG_AN, 0 },
	{ "Đảng bộ Trung tâm Y tế", L_DBCS, S_Y_TE, 0 },
	{ "Chi bộ Trường Trung học phổ thông", L_CBCS, S_GIAO_DUC, 1 },
	{ "Chi bộ Viện Kiểm sát nhân dân", L_CBCS, S_CQ_NN, 0 },
	{ "Chi bộ Tòa án nhân dân", L_CBCS, S_CQ_NN, 0 },
	{ "Chi bộ Chi cục Thi hành án dân sự", L_CBCS, S_CQ_NN, 0 },
	{ "Chi bộ Kho bạc Nhà nước", L_CBCS, S_CQ_NN, 0 },
	{ "Chi bộ Chi cục Thuế", L_CBCS, S_CQ_NN, 0 },
	{ "Chi bộ Bảo hiểm xã hội", L_CBCS, S_CQ_NN, 0 },
	{ "Chi bộ Hạt Kiểm lâm", L_CBCS, S_CQ_NN, 0 },
	{ "Chi bộ Ngân hàng Chính sách xã hội", L_CBCS, S_DNNN, 0 },
	{ "Chi bộ Ngân hàng Nông nghiệp và Phát triển nông thôn", L_CBCS, S_DNNN, 0 },
	{ "Chi bộ Điện lực", L_CBCS, S_DNNN, 1 },
	{ "Chi bộ Bưu điện", L_CBCS, S_DNNN, 0 },
	{ "Chi bộ Trường Phổ thông Dân tộc Nội trú", L_CBCS, S_GIAO_DUC, 0 },
	{ "Chi bộ Trung tâm Giáo dục nghề nghiệp - Giáo dục thường xuyên", L_CBCS, S_GIAO_DUC, 0 },
	{ "Chi bộ Trung tâm Văn hóa, Thể thao và Truyền thông", L_CBCS, S_SN_KHAC, 0 },
	{ "Chi bộ Ban Quản lý dự án đầu tư xây dựng", L_CBCS, S_SN_KHAC, 0 },
};

typedef struct {
	const char *name;
	int level, sector;
	const char *commune;  /* where it sits, if not in the city */
} bloc_org;

static const bloc_org bloc_agencies[] = {
	{ "Đảng bộ Văn phòng Tỉnh ủy", L_DBCS, S_CQ_DANG, NULL },
	{ "Đảng bộ Văn phòng Ủy ban nhân dân tỉnh", L_DBCS, S_CQ_NN, NULL },
	{ "Đảng bộ Sở Giáo dục và Đào tạo", L_DBCS, S_CQ_NN, NULL },
	{ "Đảng bộ Sở Y tế", L_DBCS, S_CQ_NN, NULL },
	{ "Đảng bộ Sở Tài chính", L_DBCS, S_CQ_NN, NULL },
	{ "Đảng bộ Sở Nông nghiệp và Phát triển nông thôn", L_DBCS, S_CQ_NN, NULL },
	{ "Đảng bộ Bệnh viện Đa khoa tỉnh", L_DBCS, S_Y_TE, NULL },
	{ "Đảng bộ Sở Giao thông vận tải", L_DBCS, S_CQ_NN, NULL },
	{ "Đảng bộ Sở Kế hoạch và Đầu tư", L_DBCS, S_CQ_NN, NULL },
	{ "Đảng bộ Sở Xây dựng", L_DBCS, S_CQ_NN, NULL },
	{ "Đảng bộ Sở Tài nguyên và Môi trường", L_DBCS, S_CQ_NN, NULL },
	{ "Đảng bộ Sở Lao động - Thương binh và Xã hội", L_DBCS, S_CQ_NN, NULL },
	{ "Đảng bộ Sở Văn hóa, Thể thao và Du lịch", L_DBCS, S_CQ_NN, NULL },
	{ "Đảng bộ Trường Cao đẳng Kỹ thuật và Công nghệ", L_DBCS, S_GIAO_DUC, NULL },
	{ "Đảng bộ Viện Kiểm sát nhân dân tỉnh", L_DBCS, S_CQ_NN, NULL },
	{ "Đảng bộ Tòa án nhân dân tỉnh", L_DBCS, S_CQ_NN, NULL },
	{ "Đảng bộ Cục Thuế tỉnh", L_DBCS, S_CQ_NN, NULL },
	{ "Đảng bộ Kho bạc Nhà nước tỉnh", L_DBCS, S_CQ_NN, NULL },
	{ "Chi bộ Ban Tổ chức Tỉnh ủy", L_CBCS, S_CQ_DANG, NULL },
	{ "Chi bộ Ban Tuyên giáo Tỉnh ủy", L_CBCS, S_CQ_DANG, NULL },
	{ "Chi bộ Ủy ban Kiểm tra Tỉnh ủy", L_CBCS, S_CQ_DANG, NULL },
	{ "Chi bộ Ban Dân vận Tỉnh ủy", L_CBCS, S_CQ_DANG, NULL },
	{ "Chi bộ Ban Nội chính Tỉnh ủy", L_CBCS, S_CQ_DANG, NULL },
	{ "Chi bộ Sở Tư pháp", L_CBCS, S_CQ_NN, NULL },
	{ "Chi bộ Sở Công Thương", L_CBCS, S_CQ_NN, NULL },
	{ "Chi bộ Sở Khoa học và Công nghệ", L_CBCS, S_CQ_NN, NULL },
	{ "Chi bộ Sở Thông tin và Truyền thông", L_CBCS, S_CQ_NN, NULL },
	{ "Chi bộ Sở Nội vụ", L_CBCS, S_CQ_NN, NULL },
	{ "Chi bộ Sở Ngoại vụ", L_CBCS, S_CQ_NN, NULL },
	{ "Chi bộ Thanh tra tỉnh", L_CBCS, S_CQ_NN, NULL },
	{ "Chi bộ Ban Dân tộc tỉnh", L_CBCS, S_CQ_NN, NULL },
	{ "Chi bộ Bệnh viện Y dược cổ truyền tỉnh", L_CBCS, S_Y_TE, NULL },
	{ "Chi bộ Bệnh viện Phổi tỉnh", L_CBCS, S_Y_TE, NULL },
	{ "Chi bộ Trung tâm Kiểm soát bệnh tật tỉnh", L_CBCS, S_Y_TE, NULL },
	{ "Chi bộ Trường Trung học phổ thông Chuyên Hà Giang", L_CBCS, S_GIAO_DUC, NULL },
	{ "Chi bộ Trường Chính trị tỉnh", L_CBCS, S_GIAO_DUC, NULL },
	{ "Chi bộ Đài Phát thanh và Truyền hình tỉnh", L_CBCS, S_SN_KHAC, NULL },
	{ "Chi bộ Báo Hà Giang", L_CBCS, S_SN_KHAC, NULL },
	{ "Chi bộ Cục Thi hành án dân sự tỉnh", L_CBCS, S_CQ_NN, NULL },
	{ "Chi bộ Bảo hiểm xã hội tỉnh", L_CBCS, S_CQ_NN, NULL },
	{ "Chi bộ Cục Thống kê tỉnh", L_CBCS, S_CQ_NN, NULL },
	{ "Chi bộ Cơ quan Ủy ban Mặt trận Tổ quốc tỉnh", L_CBCS, S_CQ_DANG, NULL },
	{ "Chi bộ Tỉnh đoàn", L_CBCS, S_CQ_DANG, NULL },
	{ "Chi bộ Hội Liên hiệp Phụ nữ tỉnh", L_CBCS, S_CQ_DANG, NULL },
	{ "Chi bộ Hội Nông dân tỉnh", L_CBCS, S_CQ_DANG, NULL },
	{ "Chi bộ Liên đoàn Lao động tỉnh", L_CBCS, S_CQ_DANG, NULL },
	{ "Chi bộ Hội Cựu chiến binh tỉnh", L_CBCS, S_CQ_DANG, NULL },
	{ "Chi bộ Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân tỉnh", L_CBCS, S_CQ_NN, NULL },
};

static const bloc_org bloc_business[] = {
	{ "Đảng bộ Công ty Điện lực Hà Giang", L_DBCS, S_DNNN, NULL },
	{ "Đảng bộ Ngân hàng Nông nghiệp và Phát triển nông thôn chi nhánh Hà Giang", L_DBCS, S_DNNN, NULL },
	{ "Đảng bộ Bưu điện tỉnh Hà Giang", L_DBCS, S_DNNN, NULL },
	{ "Đảng bộ Viễn thông Hà Giang", L_DBCS, S_DNNN, NULL },
	{ "Chi bộ Ngân hàng Chính sách xã hội chi nhánh tỉnh Hà Giang", L_CBCS, S_DNNN, NULL },
	{ "Chi bộ Ngân hàng Thương mại cổ phần Công thương chi nhánh Hà Giang", L_CBCS, S_DNNN, NULL },
	{ "Chi bộ Ngân hàng Thương mại cổ phần Đầu tư và Phát triển chi nhánh Hà Giang", L_CBCS, S_DNNN, NULL },
	{ "Chi bộ Công ty Xăng dầu Hà Giang", L_CBCS, S_DNNN, NULL },
	{ "Chi bộ Công ty Cổ phần Cấp thoát nước Hà Giang", L_CBCS, S_DN_NGOAI, NULL },
	{ "Chi bộ Công ty Cổ phần Quản lý và Xây dựng giao thông Hà Giang", L_CBCS, S_DN_NGOAI, NULL },
	{ "Chi bộ Công ty Cổ phần Chè Hà Giang", L_CBCS, S_DN_NGOAI, NULL },
	{ "Chi bộ Công ty Trách nhiệm hữu hạn Một thành viên Xổ số kiến thiết Hà Giang", L_CBCS, S_DNNN, NULL },
	{ "Chi bộ Công ty Cổ phần Môi trường đô thị Hà Giang", L_CBCS, S_DN_NGOAI, NULL },
	{ "Chi bộ Hợp tác xã Chè Shan tuyết Lũng Phìn", L_CBCS, S_HTX, "Lũng Phìn" },
	{ "Chi bộ Hợp tác xã Dệt lanh Lùng Tám", L_CBCS, S_HTX, "Lùng Tám" },
};

static const bloc_org bloc_army[] = {
	{ "Đảng bộ Cơ quan Bộ Chỉ huy Quân sự tỉnh", L_DBCS, S_QUAN_DOI, NULL },
	{ "Đảng bộ Trung đoàn 877", L_DBCS, S_QUAN_DOI, "Phương Thiện" },
	{ "Đảng bộ Phòng Tham mưu", L_DBCS, S_QUAN_DOI, NULL },
	{ "Đảng bộ Phòng Chính trị", L_DBCS, S_QUAN_DOI, NULL },
	{ "Đảng bộ Phòng Hậu cần - Kỹ thuật", L_DBCS, S_QUAN_DOI, NULL },
	{ "Chi bộ Trường Quân sự tỉnh", L_CBCS, S_QUAN_DOI, "Phương Độ" },
	{ "Chi bộ Đại đội Trinh sát", L_CBCS, S_QUAN_DOI, NULL },
	{ "Chi bộ Đại đội Công binh", L_CBCS, S_QUAN_DOI, NULL },
};

static const bloc_org bloc_police[] = {
	{ "Chi bộ Phòng Tham mưu", L_CBCS, S_CONG_AN, NULL },
	{ "Chi bộ Phòng An ninh chính trị nội bộ", L_CBCS, S_CONG_AN, NULL },
	{ "Chi bộ Phòng Cảnh sát hình sự", L_CBCS, S_CONG_AN, NULL },
	{ "Chi bộ Phòng Cảnh sát giao thông", L_CBCS, S_CONG_AN, NULL },
	{ "Chi bộ Phòng Cảnh sát phòng cháy, chữa cháy và cứu nạn, cứu hộ", L_CBCS, S_CONG_AN, NULL },
	{ "Chi bộ Phòng Cảnh sát kinh tế", L_CBCS, S_CONG_AN, NULL },
	{ "Chi bộ Phòng Cảnh sát điều tra tội phạm về ma túy", L_CBCS, S_CONG_AN, NULL },
	{ "Chi bộ Phòng Quản lý xuất nhập cảnh", L_CBCS, S_CONG_AN, NULL },
	{ "Chi bộ Phòng Cảnh sát cơ động", L_CBCS, S_CONG_AN, NULL },
	{ "Chi bộ Phòng Tổ chức cán bộ", L_CBCS, S_CONG_AN, NULL },
	{ "Chi bộ Phòng Hậu cần", L_CBCS, S_CONG_AN, NULL },
	{ "Chi bộ Phòng Hồ sơ", L_CBCS, S_CONG_AN, NULL },
	{ "Chi bộ Trại tạm giam", L_CBCS, S_CONG_AN, NULL },
	{ "Đảng bộ Cơ quan Cảnh sát điều tra", L_DBCS, S_CONG_AN, NULL },
};

static const bloc_org bloc_border[] = {
	{ "Đảng bộ Cơ quan Bộ Chỉ huy Bộ đội Biên phòng tỉnh", L_DBCS, S_BIEN_PHONG, NULL },
	{ "Đảng bộ Đồn Biên phòng Lũng Cú", L_DBCS, S_BIEN_PHONG, "Lũng Cú" },
	{ "Đảng bộ Đồn Biên phòng Phó Bảng", L_DBCS, S_BIEN_PHONG, "Phó Bảng" },
	{ "Đảng bộ Đồn Biên phòng Xín Cái", L_DBCS, S_BIEN_PHONG, "Xín Cái" },
	{ "Đảng bộ Đồn Biên phòng Sơn Vĩ", L_DBCS, S_BIEN_PHONG, "Sơn Vĩ" },
	{ "Đảng bộ Đồn Biên phòng Bạch Đích", L_DBCS, S_BIEN_PHONG, "Bạch Đích" },
	{ "Đảng bộ Đồn Biên phòng Nghĩa Thuận", L_DBCS, S_BIEN_PHONG, "Nghĩa Thuận" },
	{ "Đảng bộ Đồn Biên phòng Thanh Thủy", L_DBCS, S_BIEN_PHONG, "Thanh Thủy" },
	{ "Đảng bộ Đồn Biên phòng Xín Mần", L_DBCS, S_BIEN_PHONG, "Xín Mần" },
	{ "Đảng bộ Đồn Biên phòng Pà Vầy Sủ", L_DBCS, S_BIEN_PHONG, "Pà Vầy Sủ" },
	{ "Đảng bộ Đồn Biên phòng Thàng Tín", L_DBCS, S_BIEN_PHONG, "Thàng Tín" },
	{ "Đảng bộ Đồn Biên phòng Tả Ván", L_DBCS, S_BIEN_PHONG, "Tả Ván" },
	{ "Đảng bộ Đồn Biên phòng Minh Tân", L_DBCS, S_BIEN_PHONG, "Minh Tân" },
	{ "Đảng bộ Đồn Biên phòng Cửa khẩu Quốc tế Thanh Thủy", L_DBCS, S_BIEN_PHONG, "Thanh Thủy" },
	{ "Chi bộ Đội Đặc nhiệm phòng, chống ma túy và tội phạm", L_CBCS, S_BIEN_PHONG, NULL },
};

static const struct {
	const char *name;
	int sector;
	const bloc_org *orgs;
	int norgs;
} blocs[] = {
	{ "Đảng bộ Khối các cơ quan tỉnh Hà Giang", S_CQ_DANG, LIST(bloc_agencies) },
	{ "Đảng bộ Khối Doanh nghiệp tỉnh Hà Giang", S_DNNN, LIST(bloc_business) },
	{ "Đảng bộ Quân sự tỉnh Hà Giang", S_QUAN_DOI, LIST(bloc_army) },
	{ "Đảng bộ Công an tỉnh Hà Giang", S_CONG_AN, LIST(bloc_police) },
	{ "Đảng bộ Bộ đội Biên phòng tỉnh Hà Giang", S_BIEN_PHONG, LIST(bloc_border) },
};
#define NBLOCS NELEMS(blocs)

/* Cells under a grassroots committee that is not a commune's, by its sector. */
static const char *const cells_cq_dang[] = { "Chi bộ Văn phòng", "Chi bộ Ban Tổ chức",
	"Chi bộ Ủy ban Kiểm tra", "Chi bộ Ban Tuyên giáo", "Chi bộ Ban Dân vận",
	"Chi bộ Ủy ban Mặt trận Tổ quốc", "Chi bộ Đoàn Thanh niên", "Chi bộ Hội Liên hiệp Phụ nữ",
	"Chi bộ Hội Nông dân", "Chi bộ Hội Cựu chiến binh", "Chi bộ Trung tâm Chính trị" };
static const char *const cells_cq_nn[] = { "Chi bộ Văn phòng", "Chi bộ Phòng Tài chính - Kế hoạch",
	"Chi bộ Phòng Nội vụ", "Chi bộ Phòng Giáo dục và Đào tạo",
	"Chi bộ Phòng Nông nghiệp và Phát triển nông thôn", "Chi bộ Phòng Tài nguyên và Môi trường",
	"Chi bộ Phòng Kinh tế và Hạ tầng", "Chi bộ Phòng Lao động - Thương binh và Xã hội",
	"Chi bộ Phòng Văn hóa và Thông tin", "Chi bộ Phòng Tư pháp", "Chi bộ Thanh tra",
	"Chi bộ Phòng Dân tộc", "Chi bộ Phòng Y tế" };
static const char *const cells_army[] = { "Chi bộ Cơ quan", "Chi bộ Tham mưu", "Chi bộ Chính trị",
	"Chi bộ Hậu cần - Kỹ thuật", "Chi bộ Đại đội 1", "Chi bộ Đại đội 2", "Chi bộ Đại đội 3",
	"Chi bộ Trung đội Dân quân cơ động" };
static const char *const cells_police[] = { "Chi bộ Đội Tham mưu - Tổng hợp",
	"Chi bộ Đội Cảnh sát điều tra tội phạm về trật tự xã hội", "Chi bộ Đội Cảnh sát giao thông - trật tự",
	"Chi bộ Đội An ninh", "Chi bộ Đội Cảnh sát điều tra tội phạm về ma túy",
	"Chi bộ Đội Quản lý hành chính về trật tự xã hội",
	"Chi bộ Đội Cảnh sát thi hành án hình sự và hỗ trợ tư pháp",
	"Chi bộ Đội Xây dựng phong trào bảo vệ an ninh Tổ quốc" };
static const char *const cells_health[] = { "Chi bộ Khoa Khám bệnh", "Chi bộ Khoa Nội",
	"Chi bộ Khoa Ngoại", "Chi bộ Khoa Sản", "Chi bộ Khoa Nhi", "Chi bộ Khoa Dược",
	"Chi bộ Khoa Kiểm soát bệnh tật", "Chi bộ Phòng Kế hoạch - Tổng hợp", "Chi bộ Hành chính" };
static const char *const cells_border[] = { "Chi bộ Đội Vũ trang", "Chi bộ Đội Trinh sát",
	"Chi bộ Đội Vận động quần chúng", "Chi bộ Tham mưu - Hành chính",
	"Chi bộ Trạm Kiểm soát Biên phòng" };
static const char *const cells_school[] = { "Chi bộ Khoa Cơ bản", "Chi bộ Khoa Kỹ thuật",
	"Chi bộ Khoa Kinh tế", "Chi bộ Phòng Đào tạo", "Chi bộ Hành chính" };
static const char *const cells_business[] = { "Chi bộ Văn phòng", "Chi bộ Phòng Kinh doanh",
	"Chi bộ Phòng Kỹ thuật", "Chi bộ Phòng Tài chính - Kế toán", "Chi bộ Đội sản xuất số 1",
	"Chi bộ Đội sản xuất số 2" };

static const char *const company_a[] = { "Thành Đạt", "Hoàng Long", "Minh Phát", "Đại Việt",
	"Phú Thịnh", "Trường Sơn", "Hưng Thịnh", "An Phú", "Thiên Hương", "Hà Thành" };
static const char *const company_b[] = { "Xây dựng", "Thương mại", "Vật liệu xây dựng",
	"Du lịch", "Nông sản" };
static const char *const school_kinds[] = { "Trung học cơ sở", "Tiểu học",
	"Phổ thông Dân tộc Bán trú Trung học cơ sở", "Phổ thông Dân tộc Bán trú Tiểu học",
	"Tiểu học và Trung học cơ sở" };

/* Notes (the titles of inspections and supervisions), by kind. */
static const char *const notes_thuong_xuyen[] = {
	"Kiểm tra việc chấp hành Cương lĩnh chính trị, Điều lệ Đảng, nghị quyết, chỉ thị của Đảng",
	"Kiểm tra việc thực hiện nhiệm vụ đảng viên",
	"Kiểm tra việc thực hiện Quy định về những điều đảng viên không được làm",
	"Kiểm tra việc thực hiện quy chế làm việc và chế độ sinh hoạt chi bộ",
	"Kiểm tra việc thực hiện nguyên tắc tập trung dân chủ",
	"Kiểm tra việc thực hiện Kết luận số 21-KL/TW về xây dựng, chỉnh đốn Đảng",
	"Kiểm tra việc tu dưỡng, rèn luyện đạo đức, lối sống của đảng viên",
};
static const char *const notes_dau_hieu[] = {
	"Kiểm tra khi có dấu hiệu vi phạm trong quản lý, sử dụng đất đai",
	"Kiểm tra khi có dấu hiệu vi phạm trong thực hiện chính sách dân số",
	"Kiểm tra khi có dấu hiệu vi phạm trong quản lý tài chính, ngân sách",
	"Kiểm tra khi có dấu hiệu vi phạm trong thực hiện nhiệm vụ được giao",
};
static const char *const notes_kt_gs_kl[] = {
	"Kiểm tra việc thực hiện nhiệm vụ kiểm tra, giám sát và thi hành kỷ luật trong Đảng",
};
static const char *const notes_tai_chinh[] = {
	"Kiểm tra việc thu, nộp, quản lý và sử dụng đảng phí",
	"Kiểm tra công tác quản lý tài chính, tài sản của cấp ủy",
};
static const char *const notes_to_cao[] = { "Giải quyết tố cáo đối với đảng viên" };
static const char *const notes_khieu_nai[] = { "Giải quyết khiếu nại kỷ luật đảng" };
static const char *const notes_sup_thuong_xuyen[] = {
	"Giám sát thường xuyên việc thực hiện nhiệm vụ đảng viên",
	"Giám sát việc tu dưỡng, rèn luyện phẩm chất chính trị, đạo đức, lối sống",
	"Giám sát việc thực hiện chức trách, nhiệm vụ được giao",
	"Giám sát việc chấp hành chế độ sinh hoạt đảng và đóng đảng phí",
};
static const char *const notes_sup_chuyen_de[] = {
	"Giám sát chuyên đề việc học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
	"Giám sát chuyên đề việc lãnh đạo xây dựng nông thôn mới",
	"Giám sát chuyên đề việc thực hiện nghị quyết đại hội đảng bộ nhiệm kỳ 2020-2025",
	"Giám sát chuyên đề việc kê khai tài sản, thu nhập",
	"Giám sát chuyên đề công tác phát triển đảng viên",
	"Giám sát chuyên đề việc lãnh đạo công tác phòng, chống ma túy",
};

static const char *const discipline_reasons[] = {
	"Vi phạm Quy định về những điều đảng viên không được làm",
	"Vi phạm chính sách dân số và kế hoạch hóa gia đình",
	"Vi phạm trong quản lý, sử dụng đất đai",
	"Vi phạm nguyên tắc tập trung dân chủ",
	"Thiếu trách nhiệm trong lãnh đạo, chỉ đạo thực hiện nhiệm vụ",
	"Vi phạm trong quản lý tài chính, ngân sách",
	"Vi phạm đạo đức, lối sống",
	"Vi phạm quy định về phòng, chống tham nhũng, lãng phí",
};
static const char *const org_discipline_reasons[] = {
	"Buông lỏng lãnh đạo, để nhiều đảng viên vi phạm",
	"Vi phạm nguyên tắc tập trung dân chủ và quy chế làm việc",
	"Thiếu trách nhiệm trong lãnh đạo quản lý đất đai",
};
static const char *const xoa_ten_reasons[] = {
	"Bỏ sinh hoạt đảng ba tháng trong năm không có lý do chính đáng",
	"Không đóng đảng phí ba tháng trong năm không có lý do chính đáng",
	"Giảm sút ý chí phấn đấu, không thực hiện nhiệm vụ đảng viên",
};

static const char *const meeting_topics[] = {
	"Quán triệt nghị quyết của cấp ủy cấp trên",
	"Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
	"Công tác phát triển đảng viên",
	"Thu, nộp đảng phí",
	"Xây dựng nông thôn mới",
	"Phòng, chống ma túy và mua bán người",
	"Bảo vệ rừng và phòng, chống cháy rừng",
	"Giữ gìn an ninh trật tự ở cơ sở",
};

/* --------------------------------------------------------------- the plan */

typedef struct {
	const char *name;
	int district;   /* 0-based index in districts[] */
	int kind;       /* 0 xã, 1 phường, 2 thị trấn */
	int code;       /* 5-digit administrative code */
	int kept;       /* has a party committee at this scale */
} commune;

static const char *const commune_words[] = { "xã", "phường", "thị trấn" };

enum { CK_VILLAGE, CK_OFFICE, CK_SCHOOL, CK_HEALTH, CK_BUSINESS, CK_ARMED };

typedef struct {
	char id[HOSO_ID_LEN + 1];
	char *name;
	char *residence;    /* a cell's members' address, made when first needed */
	int parent;
	int commune;        /* where it sits (admin_unit), -1 for none */
	int32_t founded;
	int nmembers;       /* members of a cell (all statuses) */
	uint8_t level, sector, unit;
	uint8_t village;    /* a village or residential-group cell: its name is the members' address */
	uint8_t office;     /* a commune's own office cell */
	uint8_t rating;
	uint8_t disciplined;
} org;

enum { CAT_OLD, CAT_PREV, CAT_NEW };
enum { POS_NONE, POS_SECRETARY, POS_DEPUTY, POS_COMMUNE_SECRETARY, POS_COMMUNE_CHAIR };

typedef struct {
	char id[HOSO_ID_LEN + 1];
	int cell;
	int32_t birth, admit, decision;
	uint64_t cid;
	uint32_t card;       /* 0: none */
	int16_t home;        /* commune index, or -1 - elsewhere index */
	uint8_t eth, female, cat, membership_full, status, sur, mid, given;
	uint8_t religion, general, professional, theory, position, forced, disciplined;
} member;

typedef struct {
	int32_t date;
	int member;
	uint8_t kind;
	uint8_t badge;       /* index in badge_years */
	int org;             /* decided_by, -1 */
	int number;          /* decision number, 0 none */
	uint8_t body;        /* for decision numbers */
	const char *text;    /* outside organization or reason */
} event;

typedef struct {
	char id[HOSO_ID_LEN + 1];
	int conductor;
	int32_t start, end;
	int org_off, mem_off;
	int norg, nmem;
	uint8_t role, kind, conclusion, note, referred;
} act;

typedef struct {
	char id[HOSO_ID_LEN + 1];
	int subject_org;     /* -1 when a member */
	int subject_member;
	int decided_by;
	int inspection;      /* index in the inspections, -1 */
	int32_t violation, decision, announced;
	int number;
	uint8_t form, body, reason;
} discipline;

typedef struct {
	const hoso_gen_options *opts;
	hoso_gen_cb cb;
	void *payload;
	int error;           /* out of memory while building a record */
	rng idr;             /* the random part of the ids */
	uint64_t ms;         /* the time part of the next id */
	int year;
	int32_t jan1, dec31;
	int64_t ppm;         /* scale in millionths */

	commune communes[256];
	char *labels[256];   /* "xã Lũng Cú, huyện Đồng Văn, tỉnh Hà Giang" */
	int ncommunes;
	int district_first[NDISTRICTS + 1];
	int city_seat;       /* the ward where the province's agencies sit */

	org *orgs;
	int norgs, caporgs;
	int province;
	int district_org[NDISTRICTS];
	int bloc_org[NBLOCS];
	int *ch_start, *ch;  /* children of each organization */
	int *cells, ncells;  /* chi_bo_co_so and chi_bo_truc_thuoc */
	int *grass, ngrass;  /* dang_bo_co_so and chi_bo_co_so */
	int *dbcs, ndbcs;    /* dang_bo_co_so */
	int *upper, nupper;  /* dang_bo_cap_tren_co_so */

	member *members;
	int nmembers, capmembers;
	int nactive;         /* members[0..nactive) are counted at the end of the year */
	int *cm_start, *cm;  /* inspectable members by cell */
	int *gm_start, *gm;  /* inspectable members by grassroots organization */
	uint64_t *cids;      /* open-addressing set of citizen ids */
	size_t cid_mask;
	uint32_t ncards;

	event *events;
	int nevents, capevents;

	act *acts[2];        /* inspections, supervisions */
	int nacts[2], capacts[2];
	int *subj;
	int nsubj, capsubj;

	discipline *disc;
	int ndisc;
} gen;

static int oom(void)
{
	return hoso_error_set(HOSO_ERROR, "out of memory while generating the province");
}

/* Make room for one more element in a growing array. */
static int grow(void **p, int *cap, int n, size_t size)
{
	void *np;
	int ncap;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 1024;
	if (!(np = realloc(*p, (size_t)ncap * size)))
		return oom();
	*p = np;
	*cap = ncap;
	return 0;
}

/* n scaled, rounded to nearest. */
static int scaled(const gen *g, int n)
{
	return (int)(((int64_t)n * g->ppm + 500000) / 1000000);
}

static int scaled_min1(const gen *g, int n)
{
	int v = scaled(g, n);
	return v < 1 ? 1 : v;
}

static int32_t rnd_day(rng *r, int32_t lo, int32_t hi)
{
	return hi <= lo ? lo : lo + rng_below(r, hi - lo + 1);
}

/* ---------------------------------------------------------- organizations */

static int org_add(gen *g, int parent, int level, int sector, int unit, int commune_idx, char *name)
{
	org *o;

	if (!name)
		return oom();
	if (grow((void **)&g->orgs, &g->caporgs, g->norgs, sizeof(org)) < 0) {
		free(name);
		return HOSO_ERROR;
	}
	o = &g->orgs[g->norgs];
	memset(o, 0, sizeof(*o));
	o->name = name;
	o->parent = parent;
	o->level = (uint8_t)level;
	o->sector = (uint8_t)sector;
	o->unit = (uint8_t)unit;
	o->commune = commune_idx;
	return g->norgs++;
}

static int commune_find(const gen *g, const char *name)
{
	int i;
	for (i = 0; i < g->ncommunes; i++)
		if (strcmp(g->communes[i].name, name) == 0)
			return i;
	return -1;
}

static int cell_kind(const org *o)
{
	switch (o->sector) {
	case S_THON_BAN: case S_TO_DAN_PHO: return CK_VILLAGE;
	case S_GIAO_DUC: return CK_SCHOOL;
	case S_Y_TE: return CK_HEALTH;
	case S_DNNN: case S_DN_NGOAI: case S_HTX: return CK_BUSINESS;
	case S_QUAN_DOI: case S_CONG_AN: case S_BIEN_PHONG: return CK_ARMED;
	default: return CK_OFFICE;
	}
}

/* The village names of one commune, different from each other. */
static char *village_name(rng *r, int highland, char used[][40], int nused)
{
	char buf[40];
	int tries, i, dup;

	for (tries = 0; tries < 60; tries++) {
		int t = rng_below(r, 100);
		if (highland ? t < 78 : t < 25)
			snprintf(buf, sizeof(buf), "%s %s", vmong_a[rng_below(r, NELEMS(vmong_a))],
				vmong_b[rng_below(r, NELEMS(vmong_b))]);
		else if (highland ? t < 95 : t < 70)
			snprintf(buf, sizeof(buf), "%s %s", vtay_a[rng_below(r, NELEMS(vtay_a))],
				vtay_b[rng_below(r, NELEMS(vtay_b))]);
		else
			snprintf(buf, sizeof(buf), "%s", vkinh[rng_below(r, NELEMS(vkinh))]);
		for (dup = 0, i = 0; i < nused; i++)
			if (strcmp(used[i], buf) == 0)
				dup = 1;
		if (!dup)
			break;
	}
	if (tries == 60)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), " %d", nused + 1);
	snprintf(used[nused], 40, "%s", buf);
	return hoso_strdupf("Chi bộ thôn %s", buf);
}

static const char *const *cell_names_for(int sector, int *n)
{
	switch (sector) {
	case S_CQ_DANG: *n = NELEMS(cells_cq_dang); return cells_cq_dang;
	case S_QUAN_DOI: *n = NELEMS(cells_army); return cells_army;
	case S_CONG_AN: *n = NELEMS(cells_police); return cells_police;
	case S_Y_TE: *n = NELEMS(cells_health); return cells_health;
	case S_BIEN_PHONG: *n = NELEMS(cells_border); return cells_border;
	case S_GIAO_DUC: *n = NELEMS(cells_school); return cells_school;
	case S_DNNN: case S_DN_NGOAI: case S_HTX: *n = NELEMS(cells_business); return cells_business;
	default: *n = NELEMS(cells_cq_nn); return cells_cq_nn;
	}
}

/* Split `total` into `n` parts, each at least `lo` and at most `hi`, at random. */
static void split(rng *r, int *parts, int n, int total, int lo, int hi)
{
	int i, rest;

	if (n <= 0)
		return;
	if ((int64_t)n * hi < total)
		hi = (total + n - 1) / n;
	for (i = 0; i < n; i++)
		parts[i] = lo;
	rest = total - n * lo;
	while (rest > 0) {
		i = rng_below(r, n);
		if (parts[i] < hi) {
			parts[i]++;
			rest--;
		}
	}
}

static int plan_orgs(gen *g, rng *r)
{
	int d, i, k, b, idx, error = 0;
	int target_grass = scaled_min1(g, 800), target_cells = scaled_min1(g, 3600);
	int ngrass = 0, ncommune_cells = 0, nother = 0, rest;
	int *parts = NULL, *other = NULL;
	int first_grass;

	/* The communes and their codes. */
	g->ncommunes = 0;
	for (d = 0; d < NDISTRICTS; d++) {
		const district_def *dd = &districts[d];
		int keep = scaled_min1(g, dd->ncommunes);
		if (keep > dd->ncommunes)
			keep = dd->ncommunes;
		g->district_first[d] = g->ncommunes;
		for (i = 0; i < dd->ncommunes; i++) {
			commune *c = &g->communes[g->ncommunes];
			c->name = dd->communes[i];
			c->district = d;
			c->kind = i < dd->nspecial ? (d == 0 ? 1 : 2) : 0;
			c->code = 688 + 3 * g->ncommunes;
			c->kept = 0;
			g->ncommunes++;
		}
		/* Spread the kept communes over the district's list. */
		for (k = 0; k < keep; k++)
			g->communes[g->district_first[d] + (2 * k + 1) * dd->ncommunes / (2 * keep)].kept = 1;
	}
	g->district_first[NDISTRICTS] = g->ncommunes;
	g->city_seat = commune_find(g, "Nguyễn Trãi");

	g->province = org_add(g, -1, L_TINH, S_NONE, 0, g->city_seat, hoso_strdupf("Đảng bộ tỉnh Hà Giang"));
	if (g->province < 0)
		return g->province;
	for (d = 0; d < NDISTRICTS; d++) {
		idx = org_add(g, g->province, L_CTCS, S_NONE, d + 1, g->district_first[d],
			hoso_strdupf("Đảng bộ %s", districts[d].lname));
		if (idx < 0)
			return idx;
		g->district_org[d] = idx;
	}
	for (b = 0; b < NBLOCS; b++) {
		idx = org_add(g, g->province, L_CTCS, blocs[b].sector, 0, g->city_seat,
			hoso_strdupf("%s", blocs[b].name));
		if (idx < 0)
			return idx;
		g->bloc_org[b] = idx;
	}

	/* Grassroots: communes, district agencies, the blocs' organizations. */
	first_grass = g->norgs;
	for (d = 0; d < NDISTRICTS; d++) {
		const district_def *dd = &districts[d];
		int nagency = scaled_min1(g, NELEMS(district_agencies));
		if (nagency > NELEMS(district_agencies))
			nagency = NELEMS(district_agencies);
		for (i = g->district_first[d]; i < g->district_first[d + 1]; i++) {
			commune *c = &g->communes[i];
			static const int sectors[] = { S_XA, S_PHUONG, S_THI_TRAN };
			if (!c->kept)
				continue;
			idx = org_add(g, g->district_org[d], L_DBCS, sectors[c->kind], d + 1, i,
				hoso_strdupf("Đảng bộ %s %s", commune_words[c->kind], c->name));
			if (idx < 0)
				return idx;
		}
		for (k = 0; k < nagency; k++) {
			const org_tmpl *t = &district_agencies[k];
			idx = org_add(g, g->district_org[d], t->level, t->sector, d + 1, g->district_first[d],
				hoso_strdupf("%s %s", t->prefix, t->short_name ? dd->short_name : dd->lname));
			if (idx < 0)
				return idx;
		}
	}
	for (b = 0; b < NBLOCS; b++) {
		int n = scaled_min1(g, blocs[b].norgs);
		if (n > blocs[b].norgs)
			n = blocs[b].norgs;
		for (k = 0; k < n; k++) {
			const bloc_org *bo = &blocs[b].orgs[k];
			int at = bo->commune ? commune_find(g, bo->commune) : g->city_seat;
			idx = org_add(g, g->bloc_org[b], bo->level, bo->sector, 0, at < 0 ? g->city_seat : at,
				hoso_strdupf("%s", bo->name));
			if (idx < 0)
				return idx;
		}
	}

	/* The rest to reach the target: a cooperative and a company per district, then schools. */
	ngrass = g->norgs - first_grass;
	{
		int nextra = target_grass - ngrass, made = 0, round = 0;
		int nkept = 0, *kept = NULL;

		for (i = 0; i < g->ncommunes; i++)
			nkept += g->communes[i].kept;
		if (!(kept = malloc((size_t)nkept * sizeof(int) + 1)))
			return oom();
		for (nkept = 0, i = 0; i < g->ncommunes; i++)
			if (g->communes[i].kept)
				kept[nkept++] = i;
		for (d = 0; d < NDISTRICTS && made < nextra; d++) {
			int ci, nd = 0;
			commune *c;
			/* One of the district's kept communes (there is at least one). */
			for (i = 0; i < nkept; i++)
				nd += g->communes[kept[i]].district == d;
			nd = rng_below(r, nd);
			for (ci = -1, i = 0; i < nkept && ci < 0; i++)
				if (g->communes[kept[i]].district == d && nd-- == 0)
					ci = kept[i];
			c = &g->communes[ci];
			idx = org_add(g, g->district_org[d], L_CBCS, S_HTX, d + 1, ci,
				hoso_strdupf("Chi bộ Hợp tác xã Nông nghiệp %s", c->name));
			if (idx < 0)
				goto extra_fail;
			made++;
			if (made >= nextra)
				break;
			idx = org_add(g, g->district_org[d], L_CBCS, S_DN_NGOAI, d + 1, g->district_first[d],
				hoso_strdupf("Chi bộ Công ty Trách nhiệm hữu hạn %s %s",
					company_b[rng_below(r, NELEMS(company_b))],
					company_a[rng_below(r, NELEMS(company_a))]));
			if (idx < 0)
				goto extra_fail;
			made++;
		}
		/* Schools, round after round over the kept communes in a shuffled order. */
		for (i = nkept - 1; i > 0; i--) {
			int j = rng_below(r, i + 1), t = kept[i];
			kept[i] = kept[j];
			kept[j] = t;
		}
		while (made < nextra) {
			for (i = 0; i < nkept && made < nextra; i++) {
				commune *c = &g->communes[kept[i]];
				const char *kind = school_kinds[round % NELEMS(school_kinds)];
				char *name;
				if (round < NELEMS(school_kinds))
					name = hoso_strdupf("Chi bộ Trường %s %s %s", kind, commune_words[c->kind], c->name);
				else
					name = hoso_strdupf("Chi bộ Trường %s số %d %s %s", kind,
						round / NELEMS(school_kinds) + 1, commune_words[c->kind], c->name);
				idx = org_add(g, g->district_org[c->district], L_CBCS, S_GIAO_DUC, c->district + 1,
					kept[i], name);
				if (idx < 0)
					goto extra_fail;
				made++;
			}
			round++;
		}
		free(kept);
		if (0) {
extra_fail:
			free(kept);
			return HOSO_ERROR;
		}
	}

	/* Subordinate cells: villages and the commune's own cells, then the agencies' cells. */
	ngrass = g->norgs - first_grass;
	for (i = first_grass; i < first_grass + ngrass; i++)
		if (g->orgs[i].level == L_DBCS && (g->orgs[i].sector < S_XA || g->orgs[i].sector > S_THI_TRAN))
			nother++;
	for (i = first_grass; i < first_grass + ngrass; i++) {
		int ci = g->orgs[i].commune, unit = g->orgs[i].unit, nv, v;
		commune *c;
		char used[24][40];
		if (g->orgs[i].level != L_DBCS || g->orgs[i].sector < S_XA || g->orgs[i].sector > S_THI_TRAN)
			continue;
		c = &g->communes[ci];
		nv = c->kind == 0 ? rng_range(r, 6, 14) : rng_range(r, 7, 13);
		for (v = 0; v < nv; v++) {
			char *name;
			int sector = c->kind == 0 ? S_THON_BAN : S_TO_DAN_PHO;
			if (c->kind == 0)
				name = village_name(r, districts[c->district].highland, used, v);
			else
				name = hoso_strdupf("Chi bộ tổ dân phố %d", v + 1);
			if ((idx = org_add(g, i, L_CBTT, sector, unit, ci, name)) < 0)
				return idx;
			g->orgs[idx].village = 1;
		}
		{
			const char *w = commune_words[c->kind];
			if ((idx = org_add(g, i, L_CBTT, S_CQ_DANG, unit, ci,
				hoso_strdupf("Chi bộ Cơ quan %s %s", w, c->name))) < 0)
				return idx;
			g->orgs[idx].office = 1;
			if ((idx = org_add(g, i, L_CBTT, S_QUAN_DOI, unit, ci,
				hoso_strdupf("Chi bộ Quân sự %s %s", w, c->name))) < 0)
				return idx;
			if ((idx = org_add(g, i, L_CBTT, S_CONG_AN, unit, ci,
				hoso_strdupf("Chi bộ Công an %s %s", w, c->name))) < 0)
				return idx;
			if ((idx = org_add(g, i, L_CBTT, S_GIAO_DUC, unit, ci,
				hoso_strdupf("Chi bộ Trường Mầm non %s %s", w, c->name))) < 0)
				return idx;
			nv += 4;
			if (rng_pm(r, 500)) {
				if ((idx = org_add(g, i, L_CBTT, S_Y_TE, unit, ci,
					hoso_strdupf("Chi bộ Trạm Y tế %s %s", w, c->name))) < 0)
					return idx;
				nv++;
			}
		}
		ncommune_cells += nv;
	}
	rest = target_cells - ncommune_cells;
	if (rest < 2 * nother)
		rest = 2 * nother;
	if (nother > 0) {
		int j = 0;
		if (!(parts = malloc((size_t)nother * sizeof(int))) || !(other = malloc((size_t)nother * sizeof(int)))) {
			error = oom();
			goto done;
		}
		split(r, parts, nother, rest, 2, 40);
		for (i = first_grass; i < first_grass + ngrass; i++)
			if (g->orgs[i].level == L_DBCS && (g->orgs[i].sector < S_XA || g->orgs[i].sector > S_THI_TRAN))
				other[j++] = i;
		for (j = 0; j < nother; j++) {
			org *p = &g->orgs[other[j]];
			int nnames, sector = p->sector, unit = p->unit, ci = p->commune, pi = other[j];
			const char *const *names = cell_names_for(sector, &nnames);
			for (k = 0; k < parts[j]; k++) {
				char *name = k < nnames ? hoso_strdupf("%s", names[k]) :
					hoso_strdupf("Chi bộ số %d", k - nnames + 1);
				if ((idx = org_add(g, pi, L_CBTT, sector, unit, ci, name)) < 0) {
					error = idx;
					goto done;
				}
			}
		}
	}
done:
	free(parts);
	free(other);
	return error;
}

/* Children lists and the lists of organizations by level. */
static int index_orgs(gen *g)
{
	int i, n = g->norgs;
	int *fill = NULL;

	if (!(g->ch_start = calloc((size_t)n + 1, sizeof(int))) || !(g->ch = malloc((size_t)n * sizeof(int) + 1)) ||
		!(g->cells = malloc((size_t)n * sizeof(int))) || !(g->grass = malloc((size_t)n * sizeof(int))) ||
		!(g->dbcs = malloc((size_t)n * sizeof(int))) || !(g->upper = malloc((size_t)n * sizeof(int))) ||
		!(fill = malloc((size_t)n * sizeof(int)))) {
		free(fill);
		return oom();
	}
	for (i = 0; i < n; i++)
		if (g->orgs[i].parent >= 0)
			g->ch_start[g->orgs[i].parent + 1]++;
	for (i = 0; i < n; i++)
		g->ch_start[i + 1] += g->ch_start[i];
	memcpy(fill, g->ch_start, (size_t)n * sizeof(int));
	for (i = 0; i < n; i++) {
		const org *o = &g->orgs[i];
		if (o->parent >= 0)
			g->ch[fill[o->parent]++] = i;
		if (o->level == L_CBCS || o->level == L_CBTT)
			g->cells[g->ncells++] = i;
		if (o->level == L_DBCS || o->level == L_CBCS)
			g->grass[g->ngrass++] = i;
		if (o->level == L_DBCS)
			g->dbcs[g->ndbcs++] = i;
		if (o->level == L_CTCS)
			g->upper[g->nupper++] = i;
	}
	free(fill);
	return 0;
}

static int nchildren(const gen *g, int o)
{
	return g->ch_start[o + 1] - g->ch_start[o];
}

/* The grassroots organization a cell belongs to (itself for a grassroots cell). */
static int grassroots_of(const gen *g, int cell)
{
	return g->orgs[cell].level == L_CBTT ? g->orgs[cell].parent : cell;
}

/* The district committee or bloc above a grassroots organization. */
static int upper_of(const gen *g, int grass)
{
	return g->orgs[grass].parent;
}

/* ---------------------------------------------------------------- members */

static int cid_insert(gen *g, uint64_t v)
{
	size_t h = (size_t)((v * 0x9E3779B97F4A7C15ULL) >> 20) & g->cid_mask;

	while (g->cids[h]) {
		if (g->cids[h] == v)
			return 0;
		h = (h + 1) & g->cid_mask;
	}
	g->cids[h] = v;
	return 1;
}

/* A new citizen id (rule 1), unique among everything made so far (rule 2). */
static uint64_t cid_make(gen *g, rng *r, int32_t birth, int female, int home)
{
	int y = year_of(birth), century = y < 2000 ? 0 : y < 2100 ? 2 : 4;
	uint64_t prefix, v;

	if (home < 0)
		prefix = (uint64_t)atoi(elsewhere[-home - 1].code);
	else
		prefix = 2;
	for (;;) {
		v = prefix * 1000000000ULL + (uint64_t)(century + (female ? 1 : 0)) * 100000000ULL +
			(uint64_t)(y % 100) * 1000000ULL + (uint64_t)rng_below(r, 1000000);
		if (cid_insert(g, v))
			return v;
	}
}

static void person_name(rng *r, int eth, int female, uint8_t *sur, uint8_t *mid, uint8_t *given)
{
	const ethnic_def *e = &ethnics[eth];
	const name_style *s = &name_styles[e->style];

	*sur = (uint8_t)rng_below(r, e->nsur);
	*mid = (uint8_t)rng_below(r, female ? s->nmid_f : s->nmid_m);
	*given = (uint8_t)rng_below(r, female ? s->ngiven_f : s->ngiven_m);
}

/* "Giàng Seo Páo" into buf (at least 128 bytes: every part is short). */
static void name_str(char *buf, size_t n, int eth, int female, int sur, int mid, int given)
{
	const ethnic_def *e = &ethnics[eth];
	const name_style *s = &name_styles[e->style];
	const char *parts[3];
	size_t at = 0, len;
	int i;

	parts[0] = e->sur[sur];
	parts[1] = female ? s->mid_f[mid] : s->mid_m[mid];
	parts[2] = female ? s->given_f[given] : s->given_m[given];
	for (i = 0; i < 3; i++) {
		len = strlen(parts[i]);
		if (at + len + 2 > n)
			break;
		if (i)
			buf[at++] = ' ';
		memcpy(buf + at, parts[i], len);
		at += len;
	}
	buf[at] = '\0';
}

static int pick_ethnicity(rng *r)
{
	int x = rng_below(r, 1000), i;

	for (i = 0; i < NELEMS(ethnics) - 1; i++) {
		if (x < ethnics[i].permille)
			return i;
		x -= ethnics[i].permille;
	}
	return i;
}

/* Years back of an admission before last year: flat for 30 years, then fading out at 62. */
static int years_back_weight(int k)
{
	return k <= 30 ? 1500 : 1500 * (63 - k) / 33;
}

static int pick_years_back(rng *r, int max_back)
{
	int k, total = 0, x;

	if (max_back > 62)
		max_back = 62;
	for (k = 2; k <= max_back; k++)
		total += years_back_weight(k);
	x = rng_below(r, total);
	for (k = 2; k < max_back; k++) {
		x -= years_back_weight(k);
		if (x < 0)
			break;
	}
	return k;
}

/* Plan one member of `cell` in category `cat`, admitted `back` years before the year (OLD). */
static void plan_person(gen *g, rng *r, member *m, int cell, int cat, int min_back, int max_back)
{
	const org *c = &g->orgs[cell];
	int kind = cell_kind(c), armed = kind == CK_ARMED, adm_year, age, d;
	int32_t from, to;

	memset(m, 0, sizeof(*m));
	m->cell = cell;
	m->cat = (uint8_t)cat;
	m->eth = (uint8_t)pick_ethnicity(r);
	m->female = (uint8_t)rng_pm(r, armed ? 120 : 440);
	person_name(r, m->eth, m->female, &m->sur, &m->mid, &m->given);

	if (cat == CAT_NEW) {
		from = g->jan1;
		to = g->dec31 - 5;
		adm_year = g->year;
	} else if (cat == CAT_PREV) {
		from = days_from_civil(g->year - 1, 1, 1);
		to = days_from_civil(g->year - 1, 12, 31);
		adm_year = g->year - 1;
	} else {
		int back;
		if (kind != CK_VILLAGE && max_back > 30)
			max_back = 30;
		do
			back = pick_years_back(r, max_back);
		while (back < min_back);
		adm_year = g->year - back;
		from = days_from_civil(adm_year, 1, 1);
		to = days_from_civil(adm_year, 12, 31);
	}
	m->admit = rnd_day(r, from, to);
	/* Age at admission: 18 to 37, mostly the twenties; young for the oldest cohorts. */
	if (g->year - adm_year > 45)
		age = rng_range(r, 18, 25);
	else if (kind != CK_VILLAGE)
		age = 18 + rng_range(r, 0, 6) + rng_range(r, 0, 6);
	else
		age = 18 + rng_range(r, 0, 7) + rng_range(r, 0, 12);
	m->birth = rnd_day(r, days_from_civil(adm_year - age - 1, 1, 1), days_from_civil(adm_year - age, 12, 31));
	while (add_months(m->birth, 18 * 12) > m->admit)     /* rule 3 */
		m->birth = add_months(m->birth, -12);
	m->decision = m->admit - rng_range(r, 3, 30);          /* rule 5 */
	m->membership_full = cat != CAT_NEW;

	/* Where from: Kinh members are often born in the lowlands. */
	if (rng_pm(r, m->eth == ETH_KINH ? 450 : 20)) {
		m->home = (int16_t)(-1 - rng_below(r, NELEMS(elsewhere)));
	} else if (c->unit == 0) {
		m->home = (int16_t)rng_below(r, g->ncommunes);
	} else {
		d = c->unit - 1;
		m->home = (int16_t)(rng_pm(r, 850) ? c->commune :
			g->district_first[d] + rng_below(r, districts[d].ncommunes));
	}
	m->cid = cid_make(g, r, m->birth, m->female, m->home);
	if (m->membership_full)
		m->card = ++g->ncards;

	m->religion = (uint8_t)(rng_pm(r, 30) ? ethnics[m->eth].religion : 0);
	{
		int by = year_of(m->birth), x = rng_below(r, 100);
		if (by < 1972)
			m->general = (uint8_t)(kind == CK_VILLAGE && x < 35 ? 3 : 2);
		else
			m->general = (uint8_t)(kind == CK_VILLAGE && x < 25 ? 1 : 0);
		x = rng_below(r, 100);
		if (kind == CK_VILLAGE)
			m->professional = (uint8_t)(x < 55 ? 0 : x < 70 ? 1 : x < 90 ? 2 : x < 94 ? 3 : 4);
		else if (kind == CK_ARMED)
			m->professional = (uint8_t)(x < 35 ? 2 : x < 50 ? 3 : 4);
		else
			m->professional = (uint8_t)(x < 15 ? 2 : x < 27 ? 3 : x < 90 ? 4 : x < 99 ? 5 : 6);
		x = rng_below(r, 100);
		if (cat == CAT_NEW)
			m->theory = 0;
		else if (kind == CK_VILLAGE)
			m->theory = (uint8_t)(x < 40 ? 0 : x < 95 ? 1 : 2);
		else
			m->theory = (uint8_t)(x < 5 ? 0 : x < 45 ? 1 : x < 90 ? 2 : x < 98 ? 3 : 4);
	}
}

static const char *occupation(const gen *g, const member *m, int age)
{
	const org *c = &g->orgs[m->cell];

	switch (cell_kind(c)) {
	case CK_VILLAGE:
		if (age >= 60)
			return m->general >= 2 && (m->cid % 7) < 3 ? "Hưu trí" : "Nông dân";
		if (c->sector == S_TO_DAN_PHO)
			return (m->cid % 3) == 0 ? "Kinh doanh" : (m->cid % 3) == 1 ? "Lao động tự do" : "Công nhân";
		return (m->cid % 10) < 8 ? "Nông dân" : "Lao động tự do";
	case CK_SCHOOL:
		return (m->cid % 10) < 8 ? "Giáo viên" : "Viên chức";
	case CK_HEALTH: {
		static const char *const h[] = { "Bác sĩ", "Y sĩ", "Điều dưỡng", "Dược sĩ", "Viên chức" };
		return h[m->cid % 5];
	}
	case CK_BUSINESS: {
		static const char *const b[] = { "Công nhân", "Nhân viên", "Kỹ sư", "Kế toán" };
		return b[m->cid % 4];
	}
	case CK_ARMED:
		return c->sector == S_CONG_AN ? "Công an nhân dân" :
			c->sector == S_BIEN_PHONG ? "Bộ đội Biên phòng" : "Quân nhân";
	default:
		return (m->cid % 4) == 0 ? "Viên chức" : "Cán bộ, công chức";
	}
}

static int age_at_year_end(const gen *g, const member *m)
{
	return g->year - year_of(m->birth);
}

static int add_event(gen *g, int32_t date, int mi, int kind, int org_idx, int number, int body, const char *text)
{
	event *e;

	if (grow((void **)&g->events, &g->capevents, g->nevents, sizeof(event)) < 0)
		return HOSO_ERROR;
	e = &g->events[g->nevents++];
	memset(e, 0, sizeof(*e));
	e->date = date;
	e->member = mi;
	e->kind = (uint8_t)kind;
	e->org = org_idx;
	e->number = number;
	e->body = (uint8_t)body;
	e->text = text;
	return 0;
}

static int member_add(gen *g)
{
	if (grow((void **)&g->members, &g->capmembers, g->nmembers, sizeof(member)) < 0)
		return HOSO_ERROR;
	return g->nmembers++;
}

/* Cell weights: how many members a cell of each kind draws. */
static int cell_weight(const org *o)
{
	if (o->office)
		return 22;
	switch (cell_kind(o)) {
	case CK_VILLAGE: return 14;
	case CK_SCHOOL: return 12;
	case CK_HEALTH: return 14;
	case CK_BUSINESS: return 10;
	case CK_ARMED: return 8;
	default: return 16;
	}
}

enum { XT_TU_TRAN, XT_CHUYEN_DI, XT_XOA_TEN, XT_XOA_TEN_DU_BI, XT_KHAI_TRU, XT_RA_KHOI, XT_COUNT };

static int plan_members(gen *g, rng *r)
{
	int nactive = scaled_min1(g, 74215), nnew = scaled(g, 2043), nprev = scaled(g, 1987);
	int forced = 3, i, j, c, rem_new, rem_prev, rem_total, error = 0;
	int *count = NULL;
	int64_t *cum = NULL, total_w = 0;
	int extras[XT_COUNT];
	size_t cap;

	extras[XT_TU_TRAN] = scaled(g, 236);
	extras[XT_CHUYEN_DI] = scaled(g, 118);
	extras[XT_XOA_TEN] = scaled(g, 21);
	extras[XT_XOA_TEN_DU_BI] = scaled(g, 7);
	extras[XT_KHAI_TRU] = scaled_min1(g, 19);
	extras[XT_RA_KHOI] = scaled(g, 3);

	if (nactive < 3 * g->ncells)
		nactive = 3 * g->ncells;
	if (nnew + nprev > nactive - forced * g->ncells)
		nnew = nprev = (nactive - forced * g->ncells) / 4;

	/* The citizen-id set: room for every member and candidate, half full at most. */
	for (cap = 1024; cap < (size_t)(nactive + 2000) * 3; cap <<= 1)
		;
	if (!(g->cids = calloc(cap, sizeof(uint64_t))))
		return oom();
	g->cid_mask = cap - 1;

	if (!(count = calloc((size_t)g->ncells, sizeof(int))) || !(cum = malloc((size_t)g->ncells * sizeof(int64_t)))) {
		error = oom();
		goto done;
	}
	for (c = 0; c < g->ncells; c++) {
		total_w += cell_weight(&g->orgs[g->cells[c]]);
		cum[c] = total_w;
		count[c] = forced;
	}
	for (i = forced * g->ncells; i < nactive; i++) {
		int64_t x = (int64_t)(((rng_next(r) >> 11) % (uint64_t)total_w));
		int lo = 0, hi = g->ncells - 1;
		while (lo < hi) {
			int mid = (lo + hi) / 2;
			if (cum[mid] > x)
				hi = mid;
			else
				lo = mid + 1;
		}
		count[lo]++;
	}

	/* The members at the end of the year, cell by cell; the first three of a cell are full members. */
	rem_new = nnew;
	rem_prev = nprev;
	rem_total = nactive - forced * g->ncells;
	for (c = 0; c < g->ncells; c++) {
		for (j = 0; j < count[c]; j++) {
			int mi = member_add(g), cat = CAT_OLD;
			member *m;
			if (mi < 0) {
				error = mi;
				goto done;
			}
			if (j >= forced) {
				int x = rng_below(r, rem_total);
				if (x < rem_new)
					cat = CAT_NEW, rem_new--;
				else if (x < rem_new + rem_prev)
					cat = CAT_PREV, rem_prev--;
				rem_total--;
			}
			m = &g->members[mi];
			plan_person(g, r, m, g->cells[c], cat, 2, 62);
			if (j < forced) {
				m->forced = 1;
				if (j == 0)
					m->position = POS_SECRETARY;
				else if (g->orgs[g->cells[c]].office)
					m->position = (uint8_t)(j == 1 ? POS_COMMUNE_CHAIR : POS_COMMUNE_SECRETARY);
				else if (j == 1 && count[c] >= 10)
					m->position = POS_DEPUTY;
			}
		}
	}
	g->nactive = g->nmembers;

	/* Statuses of the members counted at the end of the year, and their events. */
	for (i = 0; i < g->nactive; i++) {
		member *m = &g->members[i];
		int age = age_at_year_end(g, m), x = rng_below(r, 10000);
		int grass = grassroots_of(g, m->cell), up = upper_of(g, grass);
		if (m->forced || m->cat != CAT_OLD)
			continue;
		if ((age >= 75 && x < 5500) || (age >= 70 && x < 2500)) {
			m->status = ST_MIEN;
			if (rng_pm(r, 150) && add_event(g, rnd_day(r, g->jan1 + 10, g->dec31 - 10), i, EV_MIEN,
					m->cell, rng_range(r, 1, 60), B_CHI_BO, "Tuổi cao, sức yếu") < 0)
				goto fail;
		} else if (x < 50 && age < 45) {
			m->status = ST_TAM_DI;
			if (add_event(g, rnd_day(r, g->jan1 + 10, g->dec31 - 10), i, EV_CHUYEN_DI_TAM, up,
					rng_range(r, 1, 900), B_CAP_UY,
					outside_temporary[rng_below(r, NELEMS(outside_temporary))]) < 0)
				goto fail;
		} else if (x >= 50 && x < 52) {
			m->status = ST_DINH_CHI;
		} else if (x >= 52 && x < 65) {
			if (add_event(g, rnd_day(r, g->jan1 + 10, g->dec31 - 10), i, EV_CHUYEN_DEN, up,
					rng_range(r, 1, 900), B_CAP_UY, outside_orgs[rng_below(r, NELEMS(outside_orgs))]) < 0)
				goto fail;
		}
	}

	/* Those who left the rolls during the year. */
	for (j = 0; j < XT_COUNT; j++) {
		for (i = 0; i < extras[j]; i++) {
			int64_t x = (int64_t)(((rng_next(r) >> 11) % (uint64_t)total_w));
			int lo = 0, hi = g->ncells - 1, mi, grass, up;
			int32_t date = rnd_day(r, g->jan1 + 5, g->dec31 - 5);
			member *m;
			while (lo < hi) {
				int mid = (lo + hi) / 2;
				if (cum[mid] > x)
					hi = mid;
				else
					lo = mid + 1;
			}
			if ((mi = member_add(g)) < 0)
				goto fail;
			m = &g->members[mi];
			switch (j) {
			case XT_TU_TRAN:
				plan_person(g, r, m, g->cells[lo], CAT_OLD, 25, 62);
				m->status = ST_TU_TRAN;
				if (add_event(g, date, mi, EV_TU_TRAN, -1, 0, 0, NULL) < 0)
					goto fail;
				break;
			case XT_CHUYEN_DI:
				plan_person(g, r, m, g->cells[lo], CAT_OLD, 2, 40);
				m->status = ST_CHUYEN_DI;
				grass = grassroots_of(g, m->cell);
				up = upper_of(g, grass);
				if (add_event(g, date, mi, EV_CHUYEN_DI, up, rng_range(r, 1, 900), B_CAP_UY,
						outside_orgs[rng_below(r, NELEMS(outside_orgs))]) < 0)
					goto fail;
				break;
			case XT_XOA_TEN:
			case XT_RA_KHOI:
				plan_person(g, r, m, g->cells[lo], CAT_OLD, 2, 30);
				m->status = j == XT_XOA_TEN ? ST_XOA_TEN : ST_RA_KHOI;
				grass = grassroots_of(g, m->cell);
				up = upper_of(g, grass);
				if (add_event(g, date, mi, j == XT_XOA_TEN ? EV_XOA_TEN : EV_RA_KHOI, up,
						rng_range(r, 1, 900), B_CAP_UY, j == XT_XOA_TEN ?
						xoa_ten_reasons[rng_below(r, NELEMS(xoa_ten_reasons))] :
						"Tự nguyện xin ra khỏi Đảng") < 0)
					goto fail;
				break;
			case XT_XOA_TEN_DU_BI:
				plan_person(g, r, m, g->cells[lo], CAT_PREV, 0, 0);
				/* Admitted last year after 1 February, removed just before the 12 months. */
				if (m->admit < days_from_civil(g->year - 1, 2, 1))
					m->admit = days_from_civil(g->year - 1, 2, 1) + rng_below(r, 300);
				m->decision = m->admit - rng_range(r, 3, 30);
				m->membership_full = 0;
				m->card = 0;
				m->status = ST_XOA_TEN;
				grass = grassroots_of(g, m->cell);
				up = upper_of(g, grass);
				if (add_event(g, add_months(m->admit, 12) - rng_range(r, 1, 15), mi, EV_XOA_TEN_DU_BI,
						up, rng_range(r, 1, 900), B_CAP_UY,
						"Không đủ tư cách để công nhận đảng viên chính thức") < 0)
					goto fail;
				break;
			case XT_KHAI_TRU:
				/* Its event comes with the discipline. */
				plan_person(g, r, m, g->cells[lo], CAT_OLD, 3, 30);
				m->status = ST_KHAI_TRU;
				break;
			}
		}
	}

	/* The year's admissions and full memberships. */
	for (i = 0; i < g->nmembers; i++) {
		member *m = &g->members[i];
		int grass = grassroots_of(g, m->cell), up = upper_of(g, grass);
		if (m->cat == CAT_NEW && add_event(g, m->admit, i, EV_KET_NAP, up, rng_range(r, 1, 1500), B_CAP_UY,
				NULL) < 0)
			goto fail;
		if (m->cat == CAT_PREV && m->membership_full &&
			add_event(g, add_months(m->admit, 12), i, EV_CHINH_THUC, up, rng_range(r, 1, 1500), B_CAP_UY,
				NULL) < 0)
			goto fail;
	}

	/* Party badges: about a third of those whose seniority reaches a badge's years this year. */
	{
		static const int occasions[][2] = { { 2, 3 }, { 5, 19 }, { 9, 2 }, { 11, 7 } };
		for (i = 0; i < g->nactive; i++) {
			member *m = &g->members[i];
			int back = g->year - year_of(m->admit), b, o;
			if (m->cat != CAT_OLD || (m->status != ST_ACTIVE && m->status != ST_MIEN))
				continue;
			for (b = 0; b < NELEMS(badge_years); b++)
				if (badge_years[b] == back)
					break;
			if (b == NELEMS(badge_years) || !rng_pm(r, 350))
				continue;
			for (o = 0; o < NELEMS(occasions); o++) {
				int32_t day = days_from_civil(g->year, occasions[o][0], occasions[o][1]);
				if (add_months(m->admit, 12 * badge_years[b]) <= day &&
					add_months(m->decision, 12 * badge_years[b]) <= day) {
					if (add_event(g, day, i, EV_TANG_HUY_HIEU, g->province, rng_range(r, 1, 2500),
							B_CAP_UY, NULL) < 0)
						goto fail;
					g->events[g->nevents - 1].badge = (uint8_t)b;
					break;
				}
			}
		}
	}

	/* Members of each cell, and the ones an inspection can look at. */
	for (i = 0; i < g->nmembers; i++)
		g->orgs[g->members[i].cell].nmembers++;
	{
		int n = g->norgs;
		int *fc = NULL, *fg = NULL;
		if (!(g->cm_start = calloc((size_t)n + 1, sizeof(int))) ||
			!(g->gm_start = calloc((size_t)n + 1, sizeof(int))) ||
			!(g->cm = malloc((size_t)g->nmembers * sizeof(int) + 1)) ||
			!(g->gm = malloc((size_t)g->nmembers * sizeof(int) + 1)) ||
			!(fc = malloc((size_t)n * sizeof(int))) || !(fg = malloc((size_t)n * sizeof(int)))) {
			free(fc);
			free(fg);
			goto fail;
		}
		for (i = 0; i < g->nactive; i++) {
			const member *m = &g->members[i];
			if (m->status != ST_ACTIVE || m->cat == CAT_NEW)
				continue;
			g->cm_start[m->cell + 1]++;
			g->gm_start[grassroots_of(g, m->cell) + 1]++;
		}
		for (i = 0; i < n; i++) {
			g->cm_start[i + 1] += g->cm_start[i];
			g->gm_start[i + 1] += g->gm_start[i];
		}
		memcpy(fc, g->cm_start, (size_t)n * sizeof(int));
		memcpy(fg, g->gm_start, (size_t)n * sizeof(int));
		for (i = 0; i < g->nactive; i++) {
			const member *m = &g->members[i];
			if (m->status != ST_ACTIVE || m->cat == CAT_NEW)
				continue;
			g->cm[fc[m->cell]++] = i;
			g->gm[fg[grassroots_of(g, m->cell)]++] = i;
		}
		free(fc);
		free(fg);
	}
	goto done;
fail:
	error = HOSO_ERROR;
done:
	free(count);
	free(cum);
	return error;
}

/* Founding dates: a cell before its oldest member, a parent before its children. */
static void plan_founding(gen *g, rng *r)
{
	int i;

	for (i = 0; i < g->norgs; i++) {
		org *o = &g->orgs[i];
		int lo, hi;
		switch (o->level) {
		case L_TINH: lo = 1946; hi = 1950; break;
		case L_CTCS: lo = 1950; hi = 1976; break;
		case L_DBCS: case L_CBCS: lo = 1955; hi = 2008; break;
		default: lo = 1960; hi = 2018; break;
		}
		o->founded = rnd_day(r, days_from_civil(lo, 1, 1), days_from_civil(hi, 12, 31));
	}
	for (i = 0; i < g->nmembers; i++) {
		const member *m = &g->members[i];
		org *c = &g->orgs[m->cell];
		if (c->founded > m->decision - 30)
			c->founded = m->decision - 30 - rng_below(r, 300);
	}
	for (i = g->norgs - 1; i > 0; i--) {
		org *o = &g->orgs[i];
		if (o->parent >= 0 && g->orgs[o->parent].founded > o->founded)
			g->orgs[o->parent].founded = o->founded - rng_below(r, 200);
	}
}

/* ---------------------------------------------------- discipline, inspections */

static int act_new(gen *g, int sup)
{
	act *a;

	if (grow((void **)&g->acts[sup], &g->capacts[sup], g->nacts[sup], sizeof(act)) < 0)
		return HOSO_ERROR;
	a = &g->acts[sup][g->nacts[sup]];
	memset(a, 0, sizeof(*a));
	a->org_off = a->mem_off = g->nsubj;
	return g->nacts[sup]++;
}

static int subj_push(gen *g, int v)
{
	if (grow((void **)&g->subj, &g->capsubj, g->nsubj, sizeof(int)) < 0)
		return HOSO_ERROR;
	g->subj[g->nsubj++] = v;
	return 0;
}

static int subj_has(const gen *g, int from, int v)
{
	int i;
	for (i = from; i < g->nsubj; i++)
		if (g->subj[i] == v)
			return 1;
	return 0;
}

/* Push up to `k` distinct values of pool[0..n), besides those already pushed from `from`. */
static int pick_distinct(gen *g, rng *r, const int *pool, int n, int k, int from)
{
	int got = 0, tries;

	for (tries = 0; got < k && tries < 40 * k + 40; tries++) {
		int v = pool[rng_below(r, n)];
		if (subj_has(g, from, v))
			continue;
		if (subj_push(g, v) < 0)
			return HOSO_ERROR;
		got++;
	}
	return got;
}

static void act_dates(gen *g, rng *r, act *a, int maxlen)
{
	a->start = rnd_day(r, g->jan1 + 4, g->dec31 - 31);
	a->end = a->start + rng_range(r, 1, maxlen);
	if (a->end > g->dec31)
		a->end = g->dec31;
}

static int pick_insp_note(rng *r, int kind)
{
	switch (kind) {
	case K_THUONG_XUYEN: return rng_below(r, NELEMS(notes_thuong_xuyen));
	case K_DAU_HIEU: return rng_below(r, NELEMS(notes_dau_hieu));
	case K_TAI_CHINH: return rng_below(r, NELEMS(notes_tai_chinh));
	default: return 0;
	}
}

static const char *act_note(const act *a, int sup)
{
	if (sup)
		return a->kind == 0 ? notes_sup_thuong_xuyen[a->note] : notes_sup_chuyen_de[a->note];
	switch (a->kind) {
	case K_THUONG_XUYEN: return notes_thuong_xuyen[a->note];
	case K_DAU_HIEU: return notes_dau_hieu[a->note];
	case K_KT_GS_KL: return notes_kt_gs_kl[0];
	case K_TAI_CHINH: return notes_tai_chinh[a->note];
	case K_TO_CAO: return notes_to_cao[0];
	default: return notes_khieu_nai[0];
	}
}

/* An ordinary conclusion: mostly no violation. */
static int pick_conclusion(rng *r)
{
	int x = rng_below(r, 100);
	return x < 72 ? C_KHONG : x < 93 ? C_KHUYET_DIEM : C_CHUA_DEN_MUC;
}

/*
 * One record on organizations: `part` of them, below `conductor` (chosen here when -1),
 * `must` first when not -1. Returns the number of subjects pushed.
 */
static int act_orgs(gen *g, rng *r, act *a, int role, int part, int conductor, int must)
{
	int tries, n, from;

	if (conductor < 0) {
		for (tries = 0; tries < 200; tries++) {
			int t = rng_below(r, 100);
			if (t < 62 && g->ndbcs)
				conductor = g->dbcs[rng_below(r, g->ndbcs)];
			else if (t < 96 && g->nupper)
				conductor = g->upper[rng_below(r, g->nupper)];
			else
				conductor = g->province;
			if (nchildren(g, conductor) >= part)
				break;
		}
	}
	a->conductor = conductor;
	a->role = (uint8_t)role;
	a->org_off = from = g->nsubj;
	if (must >= 0 && subj_push(g, must) < 0)
		return HOSO_ERROR;
	n = nchildren(g, conductor);
	if (n > 0 && part - (must >= 0) > 0) {
		int got = pick_distinct(g, r, g->ch + g->ch_start[conductor], n, part - (must >= 0), from);
		if (got < 0)
			return got;
	}
	a->norg = g->nsubj - from;
	a->mem_off = g->nsubj;
	return a->norg;
}

/* One record on members of a cell or of a grassroots organization. */
static int act_members(gen *g, rng *r, act *a, int role, int part, int pool_org, int by_grass, int must)
{
	const int *pool;
	int n, from;

	a->org_off = a->mem_off = from = g->nsubj;
	pool = by_grass ? g->gm + g->gm_start[pool_org] : g->cm + g->cm_start[pool_org];
	n = by_grass ? g->gm_start[pool_org + 1] - g->gm_start[pool_org] :
		g->cm_start[pool_org + 1] - g->cm_start[pool_org];
	a->role = (uint8_t)role;
	if (must >= 0 && subj_push(g, must) < 0)
		return HOSO_ERROR;
	if (n > 0 && part - (must >= 0) > 0) {
		int got = pick_distinct(g, r, pool, n, part - (must >= 0), from);
		if (got < 0)
			return got;
	}
	a->nmem = g->nsubj - from;
	return a->nmem;
}

static int pool_size(const gen *g, int o, int by_grass)
{
	return by_grass ? g->gm_start[o + 1] - g->gm_start[o] : g->cm_start[o + 1] - g->cm_start[o];
}

/* A random record on members: a cell on its members, or a grassroots committee (or its commission). */
static int act_members_random(gen *g, rng *r, act *a, int sup, int part)
{
	int tries, t = rng_below(r, 100), o = -1, by_grass = 0, role = R_CHI_BO;

	for (tries = 0; tries < 200; tries++) {
		if (t < (sup ? 50 : 65)) {
			o = g->cells[rng_below(r, g->ncells)];
			by_grass = 0;
		} else {
			o = g->grass[rng_below(r, g->ngrass)];
			by_grass = 1;
		}
		if (pool_size(g, o, by_grass) >= part)
			break;
	}
	if (!by_grass) {
		a->conductor = o;
		role = R_CHI_BO;
	} else if (sup && t >= 80) {
		/* The inspection commission of the grassroots committee, or of the district's. */
		a->conductor = g->orgs[o].level == L_DBCS && rng_pm(r, 600) ? o : upper_of(g, o);
		role = R_UBKT;
	} else {
		a->conductor = o;
		role = g->orgs[o].level == L_DBCS ? R_CAP_UY : R_CHI_BO;
	}
	return act_members(g, r, a, role, part, o, by_grass, -1);
}

static int cmp_int_asc(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* Discipline: the subjects, forms, deciders, and the inspections some come from. */
static int plan_discipline(gen *g, rng *r)
{
	int nmem = scaled_min1(g, 258), norg = scaled_min1(g, 8);
	int n_khai_tru = 0, n_cach_chuc = scaled(g, 14), n_canh_cao = scaled(g, 79), n_du_bi = scaled(g, 5);
	int i, k, error = 0;

	for (i = g->nactive; i < g->nmembers; i++)
		n_khai_tru += g->members[i].status == ST_KHAI_TRU;
	if (n_khai_tru + n_cach_chuc + n_canh_cao > nmem)
		n_cach_chuc = n_canh_cao = 0;
	if (n_khai_tru > nmem)
		nmem = n_khai_tru;
	if (!(g->disc = calloc((size_t)(nmem + norg), sizeof(discipline))))
		return oom();

	/* Organizations first: subordinate cells mostly, a few grassroots organizations. */
	for (k = 0; k < norg; k++) {
		discipline *d = &g->disc[g->ndisc];
		int o, tries;
		for (tries = 0; tries < 1000; tries++) {
			if (k % 4 == 3)
				o = g->grass[rng_below(r, g->ngrass)];
			else
				o = g->cells[rng_below(r, g->ncells)];
			if (!g->orgs[o].disciplined && (g->orgs[o].level != L_CBTT || g->orgs[g->orgs[o].parent].level == L_DBCS))
				break;
		}
		g->orgs[o].disciplined = 1;
		d->subject_org = o;
		d->subject_member = -1;
		d->form = (uint8_t)(k % 3 == 2 ? F_CANH_CAO : F_KHIEN_TRACH);
		d->decided_by = g->orgs[o].parent;
		d->body = (uint8_t)(g->orgs[o].level == L_CBTT ? B_DANG_UY_CO_SO : B_BAN_THUONG_VU);
		d->reason = (uint8_t)rng_below(r, NELEMS(org_discipline_reasons));
		d->inspection = rng_pm(r, 500) ? -2 : -1;   /* -2: wants a source inspection */
		g->ndisc++;
	}

	/* Members: the expelled ones are already planned; the rest are active members. */
	for (i = g->nactive; i < g->nmembers; i++)
		if (g->members[i].status == ST_KHAI_TRU) {
			discipline *d = &g->disc[g->ndisc++];
			d->subject_member = i;
			d->form = F_KHAI_TRU;
			g->members[i].disciplined = 1;
		}
	for (k = n_khai_tru; k < nmem; k++) {
		discipline *d = &g->disc[g->ndisc++];
		int want_du_bi = k < n_khai_tru + n_du_bi, tries, mi = 0;
		for (tries = 0; tries < 100000; tries++) {
			const member *m;
			mi = rng_below(r, g->nactive);
			m = &g->members[mi];
			if (m->disciplined || m->forced || m->status != ST_ACTIVE)
				continue;
			if (want_du_bi ? (m->cat == CAT_NEW && m->admit <= days_from_civil(g->year, 9, 30)) :
				m->cat == CAT_OLD)
				break;
		}
		g->members[mi].disciplined = 1;
		d->subject_member = mi;
		if (want_du_bi)
			d->form = (uint8_t)(rng_pm(r, 700) ? F_KHIEN_TRACH : F_CANH_CAO);
		else if (k < n_khai_tru + n_du_bi + n_cach_chuc)
			d->form = F_CACH_CHUC;
		else if (k < n_khai_tru + n_du_bi + n_cach_chuc + n_canh_cao)
			d->form = F_CANH_CAO;
		else
			d->form = F_KHIEN_TRACH;
	}
	for (k = norg; k < g->ndisc; k++) {
		discipline *d = &g->disc[k];
		const member *m = &g->members[d->subject_member];
		int cell = m->cell, grass = grassroots_of(g, cell), up = upper_of(g, grass), x = rng_below(r, 100);
		d->subject_org = -1;
		d->reason = (uint8_t)rng_below(r, NELEMS(discipline_reasons));
		if (d->form == F_KHIEN_TRACH || d->form == F_CANH_CAO) {
			if (x < 55)
				d->body = B_CHI_BO, d->decided_by = cell;
			else if (x < 80 && grass != cell)
				d->body = B_DANG_UY_CO_SO, d->decided_by = grass;
			else
				d->body = B_UBKT, d->decided_by = up;
		} else if (d->form == F_CACH_CHUC) {
			d->body = (uint8_t)(x < 50 ? B_BAN_THUONG_VU : B_UBKT);
			d->decided_by = up;
		} else {
			if (x < 35 && grass != cell)
				d->body = B_DANG_UY_CO_SO, d->decided_by = grass;
			else
				d->body = (uint8_t)(x < 75 ? B_UBKT : B_BAN_THUONG_VU), d->decided_by = up;
		}
		d->inspection = rng_pm(r, d->body == B_CHI_BO || d->body == B_DANG_UY_CO_SO ? 350 : 700) ? -2 : -1;
	}

	/* Dates. */
	for (k = 0; k < g->ndisc; k++) {
		discipline *d = &g->disc[k];
		int32_t lo = days_from_civil(g->year, 3, 1), hi = days_from_civil(g->year, 12, 20);
		if (d->subject_member >= 0 && g->members[d->subject_member].cat == CAT_NEW &&
			g->members[d->subject_member].admit + 40 > lo)
			lo = g->members[d->subject_member].admit + 40;
		d->decision = rnd_day(r, lo, hi);
		d->announced = d->decision + rng_range(r, 1, 10);
		d->number = rng_range(r, 1, 600);
		if (d->subject_member >= 0 && g->members[d->subject_member].cat == CAT_NEW)
			d->violation = rnd_day(r, g->members[d->subject_member].admit + 5, d->decision - 30);
		else
			d->violation = d->decision - rng_range(r, 40, 500);
		if (d->form == F_KHAI_TRU &&
			add_event(g, d->decision, d->subject_member, EV_KHAI_TRU, d->decided_by, d->number, d->body,
				discipline_reasons[d->reason]) < 0)
			error = HOSO_ERROR;
	}
	return error;
}

/* Dates of an inspection a discipline comes from: over before the decision. */
static void linked_dates(gen *g, rng *r, act *a, const discipline *d)
{
	int32_t floor = g->jan1 + 2;

	if (d->subject_member >= 0 && g->members[d->subject_member].cat == CAT_NEW)
		floor = g->members[d->subject_member].admit + 10;
	a->start = d->decision - rng_range(r, 25, 90);
	if (a->start < floor)
		a->start = floor;
	a->end = a->start + rng_range(r, 5, 20);
	if (a->end > d->decision - 3)
		a->end = d->decision - 3;
	if (a->end < a->start)
		a->end = a->start;
}

/*
 * The counted records (by committees and cells for inspections; all for
 * supervisions): exactly `n` records whose organization subjects sum to `x`
 * and member subjects to `y`.
 */
static int plan_counted(gen *g, rng *r, int sup, int n, int x, int y)
{
	int ro, rm, i, carry = 0, error = 0, k;
	int *po = NULL, *pm = NULL;
	int linked_o[64], nlo = 0, *linked_m = NULL, nlm = 0;

	if (n < 2)
		n = 2;
	if (x < 1)
		x = 1;
	if (y < 1)
		y = 1;
	if (x + y < n)
		n = x + y;
	ro = x * 86 / 100;
	if (ro < n - y)
		ro = n - y;
	if (ro > x)
		ro = x;
	if (ro > n - 1)
		ro = n - 1;
	if (ro < 1)
		ro = 1;
	rm = n - ro;
	if (!(po = malloc((size_t)ro * sizeof(int))) || !(pm = malloc((size_t)(rm + 1) * sizeof(int))) ||
		!(linked_m = malloc((size_t)(g->ndisc + 1) * sizeof(int)))) {
		error = oom();
		goto done;
	}
	split(r, po, ro, x, 1, 4);
	split(r, pm, rm, y, 1, 5);
	qsort(po, (size_t)ro, sizeof(int), cmp_int_asc);
	qsort(pm, (size_t)rm, sizeof(int), cmp_int_asc);

	/* The disciplines that come from a counted inspection. */
	if (!sup) {
		for (k = 0; k < g->ndisc; k++) {
			discipline *d = &g->disc[k];
			if (d->inspection != -2)
				continue;
			if (d->subject_org >= 0 && nlo < ro && nlo < NELEMS(linked_o))
				linked_o[nlo++] = k;
			else if (d->subject_member >= 0 && (d->body == B_CHI_BO || d->body == B_DANG_UY_CO_SO) &&
				nlm < rm)
				linked_m[nlm++] = k;
		}
	}

	for (i = 0; i < ro; i++) {
		int ai = act_new(g, sup), part = po[i] + carry, got;
		act *a;
		if (ai < 0)
			goto fail;
		a = &g->acts[sup][ai];
		if (i < nlo) {
			discipline *d = &g->disc[linked_o[i]];
			got = act_orgs(g, r, a, R_CAP_UY, part, g->orgs[d->subject_org].parent, d->subject_org);
			a->kind = K_DAU_HIEU;
			a->conclusion = C_PHAI_KY_LUAT;
			linked_dates(g, r, a, d);
			d->inspection = ai;
		} else {
			if (sup) {
				int t = rng_below(r, 100);
				got = act_orgs(g, r, a, t < 55 ? R_CAP_UY : R_UBKT, part, -1, -1);
				a->kind = (uint8_t)rng_below(r, 2);
			} else {
				int t = rng_below(r, 100);
				got = act_orgs(g, r, a, R_CAP_UY, part, -1, -1);
				a->kind = (uint8_t)(t < 65 ? K_THUONG_XUYEN : t < 80 ? K_KT_GS_KL : t < 95 ? K_TAI_CHINH : K_DAU_HIEU);
			}
			a->conclusion = (uint8_t)pick_conclusion(r);
			act_dates(g, r, a, sup ? 90 : 45);
		}
		if (got < 0)
			goto fail;
		carry = part - got;
	}
	/*
	 * A linked record whose pool was too small hands its missing subjects to
	 * the next record; the random records after it choose a big enough pool.
	 */
	carry = 0;
	for (i = 0; i < rm; i++) {
		int ai = act_new(g, sup), part = pm[i] + carry, got;
		act *a;
		if (ai < 0)
			goto fail;
		a = &g->acts[sup][ai];
		if (i < nlm) {
			discipline *d = &g->disc[linked_m[i]];
			const member *m = &g->members[d->subject_member];
			if (d->body == B_CHI_BO) {
				a->conductor = m->cell;
				got = act_members(g, r, a, R_CHI_BO, part, m->cell, 0, d->subject_member);
			} else {
				int grass = grassroots_of(g, m->cell);
				a->conductor = grass;
				got = act_members(g, r, a, R_CAP_UY, part, grass, 1, d->subject_member);
			}
			a->kind = K_DAU_HIEU;
			a->conclusion = C_PHAI_KY_LUAT;
			linked_dates(g, r, a, d);
			d->inspection = ai;
		} else {
			got = act_members_random(g, r, a, sup, part);
			if (sup) {
				a->kind = (uint8_t)rng_below(r, 2);
			} else {
				int t = rng_below(r, 100);
				a->kind = (uint8_t)(t < 85 ? K_THUONG_XUYEN : t < 93 ? K_DAU_HIEU : t < 97 ? K_TAI_CHINH : K_TO_CAO);
			}
			a->conclusion = (uint8_t)pick_conclusion(r);
			act_dates(g, r, a, sup ? 90 : 45);
		}
		if (got < 0)
			goto fail;
		carry = part - got;
	}
	goto done;
fail:
	error = HOSO_ERROR;
done:
	free(po);
	free(pm);
	free(linked_m);
	return error;
}

/* Inspections by inspection commissions: not in the committees' count. */
static int plan_ubkt(gen *g, rng *r)
{
	int total = scaled_min1(g, 312), made = 0, k;

	for (k = 0; k < g->ndisc; k++) {
		discipline *d = &g->disc[k];
		int ai;
		act *a;
		if (d->inspection != -2)
			continue;
		if ((ai = act_new(g, 0)) < 0)
			return ai;
		a = &g->acts[0][ai];
		if (d->subject_org >= 0) {
			int up = g->orgs[d->subject_org].parent;
			if (act_orgs(g, r, a, R_UBKT, 1, up, d->subject_org) < 0)
				return HOSO_ERROR;
		} else {
			const member *m = &g->members[d->subject_member];
			a->conductor = upper_of(g, grassroots_of(g, m->cell));
			if (act_members(g, r, a, R_UBKT, 1, m->cell, 0, d->subject_member) < 0)
				return HOSO_ERROR;
		}
		a->kind = (uint8_t)(rng_pm(r, 700) ? K_DAU_HIEU : K_TO_CAO);
		a->conclusion = C_PHAI_KY_LUAT;
		linked_dates(g, r, a, d);
		d->inspection = ai;
		made++;
	}
	for (; made < total; made++) {
		int ai = act_new(g, 0), t = rng_below(r, 100), got;
		act *a;
		if (ai < 0)
			return ai;
		a = &g->acts[0][ai];
		if (t < 50) {
			got = act_orgs(g, r, a, R_UBKT, 1, -1, -1);
			a->kind = (uint8_t)(rng_pm(r, 500) ? K_KT_GS_KL : K_TAI_CHINH);
		} else {
			int o = g->grass[0], tries;
			for (tries = 0; tries < 100; tries++) {
				o = g->grass[rng_below(r, g->ngrass)];
				if (pool_size(g, o, 1) >= 2)
					break;
			}
			a->conductor = g->orgs[o].level == L_DBCS && rng_pm(r, 400) ? o : upper_of(g, o);
			got = act_members(g, r, a, R_UBKT, rng_pm(r, 800) ? 1 : 2, o, 1, -1);
			a->kind = (uint8_t)(t < 80 ? K_DAU_HIEU : t < 95 ? K_TO_CAO : K_KHIEU_NAI);
		}
		if (got < 0)
			return got;
		a->conclusion = (uint8_t)pick_conclusion(r);
		act_dates(g, r, a, 60);
	}
	return 0;
}

static void plan_notes(gen *g, rng *r)
{
	int s, i;

	for (s = 0; s < 2; s++)
		for (i = 0; i < g->nacts[s]; i++) {
			act *a = &g->acts[s][i];
			if (s)
				a->note = (uint8_t)rng_below(r, a->kind == 0 ? NELEMS(notes_sup_thuong_xuyen) :
					NELEMS(notes_sup_chuyen_de));
			else
				a->note = (uint8_t)pick_insp_note(r, a->kind);
			if (s && a->conclusion == C_CHUA_DEN_MUC && rng_pm(r, 400))
				a->referred = 1;
		}
}

/* Ratings of every organization below the province (rules 7 and 8). */
static void plan_ratings(gen *g, rng *r)
{
	int p, i;

	for (p = 0; p < g->norgs; p++) {
		int from = g->ch_start[p], to = g->ch_start[p + 1], htx = 0, htt = 0;
		for (i = from; i < to; i++) {
			org *o = &g->orgs[g->ch[i]];
			int x = rng_below(r, 100);
			if (o->disciplined)
				o->rating = RT_HTNV;
			else
				o->rating = (uint8_t)(x < 16 ? RT_HTXSNV : x < 84 ? RT_HTTNV : x < 97 ? RT_HTNV : RT_KHTNV);
			htx += o->rating == RT_HTXSNV;
			htt += o->rating == RT_HTTNV;
		}
		/* At most a fifth as many excellent as good: the excess becomes good. */
		for (i = from; i < to && 5 * htx > htt; i++) {
			org *o = &g->orgs[g->ch[i]];
			if (o->rating == RT_HTXSNV) {
				o->rating = RT_HTTNV;
				htx--;
				htt++;
			}
		}
	}
}

/* -------------------------------------------------------------- emitting */

static json_t *rec_new(gen *g, const char *type, char id[HOSO_ID_LEN + 1])
{
	uint8_t rnd[10];
	uint64_t a = rng_next(&g->idr), b = rng_next(&g->idr);
	json_t *o;
	int i;

	for (i = 0; i < 8; i++)
		rnd[i] = (uint8_t)(a >> (8 * i));
	rnd[8] = (uint8_t)b;
	rnd[9] = (uint8_t)(b >> 8);
	hoso_id_make(id, g->ms++, rnd);
	if (!(o = json_object())) {
		g->error = 1;
		return NULL;
	}
	if (json_object_set_new_nocheck(o, "id", json_string_nocheck(id)) < 0 ||
		json_object_set_new_nocheck(o, "type", json_string_nocheck(type)) < 0)
		g->error = 1;
	return o;
}

static void set_new(gen *g, json_t *o, const char *key, json_t *v)
{
	if (!o || json_object_set_new_nocheck(o, key, v) < 0)
		g->error = 1;
}

/*
 * Every string comes from this file's literals (UTF-8, NFC) and ASCII digits,
 * never cut in the middle of a character, so jansson's check is skipped; the
 * tests dump every record, which would fail on invalid UTF-8.
 */
static void set_str(gen *g, json_t *o, const char *key, const char *v)
{
	set_new(g, o, key, v ? json_string_nocheck(v) : NULL);
}

static void set_date(gen *g, json_t *o, const char *key, int32_t day)
{
	char buf[11];
	date_str(buf, day);
	set_new(g, o, key, json_string_nocheck(buf));
}

static void append_id(gen *g, json_t *arr, const char *id)
{
	if (!arr || json_array_append_new(arr, json_string_nocheck(id)) < 0)
		g->error = 1;
}

static int emit(gen *g, int unit, const char *type, json_t *o)
{
	int rc;

	if (!o || g->error) {
		json_decref(o);
		return oom();
	}
	rc = g->cb(unit_code(unit), type, o, g->payload);
	json_decref(o);
	return rc;
}

/* "123-QĐ/HU": a decision number by the organization and the body deciding. */
static void decision_no(const gen *g, char *buf, size_t n, int org_idx, int body, int number)
{
	const org *o = &g->orgs[org_idx];
	const char *abbr;
	int ubkt = body == B_UBKT;

	switch (o->level) {
	case L_TINH: abbr = "TU"; break;
	case L_CTCS: abbr = o->unit == 0 ? "ĐUK" : districts[o->unit - 1].abbr; break;
	case L_DBCS: abbr = "ĐU"; break;
	default: abbr = "CB"; ubkt = 0; break;
	}
	snprintf(buf, n, "%d-QĐ/%s%s", number, ubkt ? "UBKT" : "", abbr);
}

/* "xã Lũng Cú, huyện Đồng Văn, tỉnh Hà Giang" (borrowed), or NULL when out of memory. */
static const char *commune_label(gen *g, int ci)
{
	const commune *c = &g->communes[ci];

	if (!g->labels[ci] && !(g->labels[ci] = hoso_strdupf("%s %s, %s, tỉnh Hà Giang",
			commune_words[c->kind], c->name, districts[c->district].lname)))
		g->error = 1;
	return g->labels[ci];
}

/* Where a cell's members live (borrowed): its village, or its commune. */
static const char *cell_residence(gen *g, int cell, int ci)
{
	org *c = &g->orgs[cell];
	const char *label = commune_label(g, ci);

	if (!label)
		return NULL;
	if (!c->village)
		return label;
	if (!c->residence && !(c->residence = hoso_strdupf("%s, %s", c->name + strlen("Chi bộ "), label)))
		g->error = 1;
	return c->residence;
}

/* Write the `width` low decimal digits of `v`, zero-padded, and a NUL. */
static void digits(char *out, uint64_t v, int width)
{
	out[width] = '\0';
	while (width-- > 0) {
		out[width] = (char)('0' + v % 10);
		v /= 10;
	}
}

static int emit_orgs(gen *g)
{
	int i, rc;
	char buf[8];

	for (i = 0; i < g->norgs; i++) {
		org *o = &g->orgs[i];
		json_t *rec = rec_new(g, "organization", o->id);
		set_str(g, rec, "name", o->name);
		set_new(g, rec, "level", json_string_nocheck(level_codes[o->level]));
		if (o->sector != S_NONE)
			set_new(g, rec, "sector", json_string_nocheck(sector_codes[o->sector]));
		if (o->parent >= 0)
			set_new(g, rec, "parent_id", json_string_nocheck(g->orgs[o->parent].id));
		if (o->commune >= 0) {
			snprintf(buf, sizeof(buf), "%05d", g->communes[o->commune].code);
			set_new(g, rec, "admin_unit", json_string_nocheck(buf));
		}
		set_date(g, rec, "founded_on", o->founded);
		if ((rc = emit(g, o->unit, "organization", rec)) != 0)
			return rc;
	}
	return 0;
}

static int emit_members(gen *g)
{
	int i, rc;
	char buf[600];

	for (i = 0; i < g->nmembers; i++) {
		member *m = &g->members[i];
		const org *c = &g->orgs[m->cell];
		json_t *rec = rec_new(g, "member", m->id), *edu, *pos;
		uint64_t cid = m->cid;
		int age = age_at_year_end(g, m);

		name_str(buf, sizeof(buf), m->eth, m->female, m->sur, m->mid, m->given);
		set_str(g, rec, "full_name", buf);
		set_new(g, rec, "gender", json_string_nocheck(m->female ? "nu" : "nam"));
		set_date(g, rec, "birth_date", m->birth);
		if (m->home < 0) {
			set_str(g, rec, "hometown", elsewhere[-m->home - 1].place);
			set_str(g, rec, "birthplace", elsewhere[-m->home - 1].place);
		} else {
			const char *label = commune_label(g, m->home);
			set_str(g, rec, "hometown", label);
			set_str(g, rec, "birthplace", label);
		}
		if (c->commune >= 0) {
			/* Province agencies: their people live somewhere in the city. */
			int ci = c->unit == 0 ? (int)(m->cid % (uint64_t)districts[0].ncommunes) : c->commune;
			const char *res = c->unit == 0 ? commune_label(g, ci) : cell_residence(g, m->cell, ci);
			set_str(g, rec, "residence", res);
		}
		set_new(g, rec, "ethnicity", json_string_nocheck(ethnics[m->eth].code));
		set_new(g, rec, "religion", json_string_nocheck(religion_codes[m->religion]));
		digits(buf, cid, 12);
		set_new(g, rec, "citizen_id", json_string_nocheck(buf));
		if (m->card) {
			/* 8 digits, distinct for distinct counters (7919 is prime to 9*10^7). */
			digits(buf, 10000000ULL + ((uint64_t)m->card * 7919ULL + 1234567ULL) % 90000000ULL, 8);
			set_new(g, rec, "party_card_no", json_string_nocheck(buf));
		}
		{
			size_t len = strlen(unit_code(c->unit));
			memcpy(buf, unit_code(c->unit), len);
			buf[len] = '.';
			digits(buf + len + 1, (uint64_t)i + 1, 6);
			set_new(g, rec, "profile_no", json_string_nocheck(buf));
		}
		set_date(g, rec, "admission_decision_date", m->decision);
		set_date(g, rec, "admission_date", m->admit);
		if (m->membership_full)
			set_date(g, rec, "official_date", add_months(m->admit, 12));
		set_new(g, rec, "membership", json_string_nocheck(m->membership_full ? "chinh_thuc" : "du_bi"));
		set_new(g, rec, "status", json_string_nocheck(status_codes[m->status]));
		set_new(g, rec, "cell_id", json_string_nocheck(c->id));
		edu = json_object();
		set_new(g, edu, "general", json_string_nocheck(general_codes[m->general]));
		if (m->professional)
			set_new(g, edu, "professional", json_string_nocheck(professional_codes[m->professional]));
		if (m->theory)
			set_new(g, edu, "political_theory", json_string_nocheck(theory_codes[m->theory]));
		set_new(g, rec, "education", edu);
		set_str(g, rec, "occupation", occupation(g, m, age));
		if (m->position && (m->status == ST_ACTIVE)) {
			const commune *cm = c->commune >= 0 ? &g->communes[c->commune] : NULL;
			pos = json_array();
			switch (m->position) {
			case POS_SECRETARY: snprintf(buf, sizeof(buf), "Bí thư Chi bộ"); break;
			case POS_DEPUTY: snprintf(buf, sizeof(buf), "Phó Bí thư Chi bộ"); break;
			case POS_COMMUNE_SECRETARY:
				snprintf(buf, sizeof(buf), "Bí thư Đảng ủy %s %s", commune_words[cm->kind], cm->name);
				break;
			default:
				snprintf(buf, sizeof(buf), "Chủ tịch Ủy ban nhân dân %s %s", commune_words[cm->kind], cm->name);
				break;
			}
			if (!pos || json_array_append_new(pos, json_string(buf)) < 0)
				g->error = 1;
			set_new(g, rec, "positions", pos);
		}
		if ((rc = emit(g, c->unit, "member", rec)) != 0)
			return rc;
	}
	return 0;
}

static int cmp_event(const void *a, const void *b)
{
	const event *x = a, *y = b;
	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	if (x->member != y->member)
		return x->member < y->member ? -1 : 1;
	return (x->kind > y->kind) - (x->kind < y->kind);
}

static int emit_events(gen *g)
{
	int i, rc;
	char id[HOSO_ID_LEN + 1], buf[64];

	qsort(g->events, (size_t)g->nevents, sizeof(event), cmp_event);
	for (i = 0; i < g->nevents; i++) {
		const event *e = &g->events[i];
		const member *m = &g->members[e->member];
		json_t *rec = rec_new(g, "member_event", id);
		set_new(g, rec, "member_id", json_string_nocheck(m->id));
		set_new(g, rec, "kind", json_string_nocheck(event_codes[e->kind]));
		set_date(g, rec, "date", e->date);
		if (e->org >= 0) {
			set_new(g, rec, "decided_by", json_string_nocheck(g->orgs[e->org].id));
			if (e->number) {
				decision_no(g, buf, sizeof(buf), e->org, e->body, e->number);
				set_str(g, rec, "decision_no", buf);
			}
		}
		switch (e->kind) {
		case EV_CHUYEN_DEN:
			set_str(g, rec, "from_org", e->text);
			set_new(g, rec, "to_org", json_string_nocheck(g->orgs[m->cell].id));
			break;
		case EV_CHUYEN_DI:
		case EV_CHUYEN_DI_TAM:
			set_new(g, rec, "from_org", json_string_nocheck(g->orgs[m->cell].id));
			set_str(g, rec, "to_org", e->text);
			break;
		case EV_TANG_HUY_HIEU:
			set_new(g, rec, "badge_years", json_integer(badge_years[e->badge]));
			break;
		default:
			if (e->text)
				set_str(g, rec, "reason", e->text);
			break;
		}
		if ((rc = emit(g, g->orgs[m->cell].unit, "member_event", rec)) != 0)
			return rc;
	}
	return 0;
}

/* Candidates in the admission pipeline, introduced by two full members of their cell. */
static int emit_candidates(gen *g, rng *r)
{
	int n = scaled_min1(g, 418), k, rc;
	char id[HOSO_ID_LEN + 1], buf[300];

	for (k = 0; k < n; k++) {
		int cell = g->cells[rng_below(r, g->ncells)], eth = pick_ethnicity(r), female = rng_pm(r, 450);
		int from = g->cm_start[cell], size = g->cm_start[cell + 1] - from, a = -1, b = -1, tries, home;
		uint8_t sur, mid, given;
		int32_t awareness, application, birth;
		json_t *rec, *intro;

		person_name(r, eth, female, &sur, &mid, &given);
		awareness = rnd_day(r, days_from_civil(g->year - 1, 6, 1), days_from_civil(g->year, 9, 30));
		application = awareness + rng_range(r, 20, 200);
		if (application > g->dec31 - 10)
			application = g->dec31 - 10;
		if (application < awareness)
			application = awareness;
		birth = rnd_day(r, days_from_civil(year_of(application) - 35, 1, 1),
			days_from_civil(year_of(application) - 19, 12, 31));
		while (add_months(birth, 18 * 12) > awareness)
			birth = add_months(birth, -12);
		home = rng_pm(r, eth == ETH_KINH ? 300 : 10) ? -1 - rng_below(r, NELEMS(elsewhere)) : 0;
		for (tries = 0; tries < 200 && (a < 0 || b < 0); tries++) {
			int v = g->cm[from + rng_below(r, size)];
			if (g->members[v].cat != CAT_OLD)
				continue;
			if (a < 0)
				a = v;
			else if (v != a)
				b = v;
		}

		rec = rec_new(g, "candidate", id);
		name_str(buf, sizeof(buf), eth, female, sur, mid, given);
		set_str(g, rec, "full_name", buf);
		set_new(g, rec, "gender", json_string_nocheck(female ? "nu" : "nam"));
		set_date(g, rec, "birth_date", birth);
		snprintf(buf, sizeof(buf), "%012llu", (unsigned long long)cid_make(g, r, birth, female, home));
		set_new(g, rec, "citizen_id", json_string_nocheck(buf));
		set_new(g, rec, "ethnicity", json_string_nocheck(ethnics[eth].code));
		set_new(g, rec, "cell_id", json_string_nocheck(g->orgs[cell].id));
		set_date(g, rec, "awareness_course_date", awareness);
		set_date(g, rec, "application_date", application);
		intro = json_array();
		if (a >= 0)
			append_id(g, intro, g->members[a].id);
		if (b >= 0)
			append_id(g, intro, g->members[b].id);
		set_new(g, rec, "introducer_ids", intro);
		if (rng_pm(r, 500) && application + 60 < g->dec31) {
			int32_t res = application + rng_range(r, 10, 60);
			set_date(g, rec, "cell_resolution_date", res);
			if (rng_pm(r, 300) && res + 40 < g->dec31)
				set_date(g, rec, "committee_resolution_date", res + rng_range(r, 7, 40));
		}
		set_new(g, rec, "outcome", json_string_nocheck("dang_xem_xet"));
		if ((rc = emit(g, g->orgs[cell].unit, "candidate", rec)) != 0)
			return rc;
	}
	return 0;
}

static int cmp_act(const void *a, const void *b)
{
	const act *x = *(const act *const *)a, *y = *(const act *const *)b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (x > y) - (x < y);
}

static int emit_acts(gen *g, int sup)
{
	int n = g->nacts[sup], i, j, rc = 0;
	act **order;
	const char *type = sup ? "supervision" : "inspection";

	if (!(order = malloc((size_t)(n + 1) * sizeof(act *))))
		return oom();
	for (i = 0; i < n; i++)
		order[i] = &g->acts[sup][i];
	qsort(order, (size_t)n, sizeof(act *), cmp_act);
	for (i = 0; i < n && rc == 0; i++) {
		act *a = order[i];
		json_t *rec = rec_new(g, type, a->id), *arr;
		set_new(g, rec, "conducted_by", json_string_nocheck(g->orgs[a->conductor].id));
		set_new(g, rec, "conducted_by_role", json_string_nocheck(role_codes[a->role]));
		set_new(g, rec, "kind", json_string_nocheck(sup ? sup_kind_codes[a->kind] : insp_kind_codes[a->kind]));
		set_date(g, rec, "start_date", a->start);
		set_date(g, rec, "end_date", a->end);
		if (a->norg) {
			arr = json_array();
			for (j = 0; j < a->norg; j++)
				append_id(g, arr, g->orgs[g->subj[a->org_off + j]].id);
			set_new(g, rec, "subject_org_ids", arr);
		}
		if (a->nmem) {
			arr = json_array();
			for (j = 0; j < a->nmem; j++)
				append_id(g, arr, g->members[g->subj[a->mem_off + j]].id);
			set_new(g, rec, "subject_member_ids", arr);
		}
		set_new(g, rec, "conclusion", json_string_nocheck(conclusion_codes[a->conclusion]));
		if (sup)
			set_new(g, rec, "referred_to_inspection", json_boolean(a->referred));
		set_str(g, rec, "title", act_note(a, sup));
		rc = emit(g, g->orgs[a->conductor].unit, type, rec);
	}
	free(order);
	return rc;
}

static int cmp_disc(const void *a, const void *b)
{
	const discipline *x = a, *y = b;
	if (x->decision != y->decision)
		return x->decision < y->decision ? -1 : 1;
	if (x->subject_org != y->subject_org)
		return x->subject_org < y->subject_org ? -1 : 1;
	return (x->subject_member > y->subject_member) - (x->subject_member < y->subject_member);
}

static int emit_discipline(gen *g)
{
	int k, rc;
	char buf[64];

	qsort(g->disc, (size_t)g->ndisc, sizeof(discipline), cmp_disc);
	for (k = 0; k < g->ndisc; k++) {
		discipline *d = &g->disc[k];
		json_t *rec = rec_new(g, "discipline", d->id);
		int unit;
		if (d->subject_org >= 0) {
			set_new(g, rec, "subject_kind", json_string_nocheck("organization"));
			set_new(g, rec, "subject_id", json_string_nocheck(g->orgs[d->subject_org].id));
			set_str(g, rec, "reason", org_discipline_reasons[d->reason]);
			unit = g->orgs[d->subject_org].unit;
		} else {
			set_new(g, rec, "subject_kind", json_string_nocheck("member"));
			set_new(g, rec, "subject_id", json_string_nocheck(g->members[d->subject_member].id));
			set_str(g, rec, "reason", discipline_reasons[d->reason]);
			unit = g->orgs[g->members[d->subject_member].cell].unit;
		}
		set_new(g, rec, "form", json_string_nocheck(form_codes[d->form]));
		set_date(g, rec, "violation_date", d->violation);
		set_date(g, rec, "decision_date", d->decision);
		set_date(g, rec, "announced_on", d->announced);
		set_new(g, rec, "decided_by", json_string_nocheck(g->orgs[d->decided_by].id));
		set_new(g, rec, "deciding_body", json_string_nocheck(body_codes[d->body]));
		decision_no(g, buf, sizeof(buf), d->decided_by, d->body, d->number);
		set_str(g, rec, "decision_no", buf);
		if (d->inspection >= 0)
			set_new(g, rec, "source_inspection_id", json_string_nocheck(g->acts[0][d->inspection].id));
		if ((rc = emit(g, unit, "discipline", rec)) != 0)
			return rc;
	}
	return 0;
}

static int emit_ratings(gen *g)
{
	int i, rc;
	char id[HOSO_ID_LEN + 1];

	for (i = 0; i < g->norgs; i++) {
		const org *o = &g->orgs[i];
		json_t *rec;
		if (o->parent < 0)
			continue;
		rec = rec_new(g, "evaluation", id);
		set_new(g, rec, "year", json_integer(g->year));
		set_new(g, rec, "rule_set", json_string_nocheck("qd124_2023"));
		set_new(g, rec, "subject_kind", json_string_nocheck("organization"));
		set_new(g, rec, "subject_id", json_string_nocheck(o->id));
		set_new(g, rec, "rating", json_string_nocheck(rating_codes[o->rating]));
		if ((rc = emit(g, o->unit, "evaluation", rec)) != 0)
			return rc;
	}
	return 0;
}

enum { TC_NHAN_THUC, TC_DANG_VIEN_MOI, TC_SO_CAP, TC_TRUNG_CAP, TC_QUY_HOACH };
static const char *const course_codes[] = { "nhan_thuc_ve_dang", "dang_vien_moi", "llct_so_cap",
	"llct_trung_cap", "boi_duong_can_bo_quy_hoach" };

static int emit_courses(gen *g, rng *r)
{
	static const int cycle[] = { TC_DANG_VIEN_MOI, TC_SO_CAP, TC_NHAN_THUC, TC_DANG_VIEN_MOI,
		TC_TRUNG_CAP, TC_SO_CAP, TC_DANG_VIEN_MOI, TC_NHAN_THUC, TC_QUY_HOACH, TC_DANG_VIEN_MOI };
	int n = scaled(g, 40), k, i, u, rc = 0;
	int *pool = NULL, *by_unit = NULL, unit_start[NUNITS + 1], fill[NUNITS];
	char id[HOSO_ID_LEN + 1], buf[300];

	if (n < 3)
		n = 3;
	/* The active members by unit, so that a district's course looks at its own members only. */
	if (!(pool = malloc((size_t)g->nactive * sizeof(int) + 1)) ||
		!(by_unit = malloc((size_t)g->nactive * sizeof(int) + 1))) {
		free(pool);
		return oom();
	}
	memset(unit_start, 0, sizeof(unit_start));
	for (i = 0; i < g->nactive; i++)
		unit_start[g->orgs[g->members[i].cell].unit + 1]++;
	for (u = 0; u < NUNITS; u++) {
		unit_start[u + 1] += unit_start[u];
		fill[u] = unit_start[u];
	}
	for (i = 0; i < g->nactive; i++)
		by_unit[fill[g->orgs[g->members[i].cell].unit]++] = i;
	for (k = 0; k < n && rc == 0; k++) {
		int kind = cycle[k % NELEMS(cycle)], d = k % NDISTRICTS, organizer, npool = 0, want, from, to;
		int32_t start;
		json_t *rec, *arr;

		organizer = kind == TC_TRUNG_CAP || (kind == TC_QUY_HOACH && k % 2) ? g->province : g->district_org[d];
		start = kind == TC_DANG_VIEN_MOI ? rnd_day(r, days_from_civil(g->year, 6, 1), g->dec31 - 30) :
			rnd_day(r, g->jan1 + 20, g->dec31 - 60);
		from = organizer == g->province ? 0 : unit_start[d + 1];
		to = organizer == g->province ? g->nactive : unit_start[d + 2];
		for (u = from; u < to; u++) {
			const member *m = &g->members[by_unit[u]];
			const org *c = &g->orgs[m->cell];
			if (m->status != ST_ACTIVE)
				continue;
			if (kind == TC_DANG_VIEN_MOI ? (m->cat == CAT_NEW && m->admit < start) :
				kind == TC_SO_CAP ? (m->cat == CAT_OLD && m->theory == 0) :
				kind == TC_TRUNG_CAP ? (m->cat == CAT_OLD && m->theory == 1 && cell_kind(c) != CK_VILLAGE) :
				kind == TC_QUY_HOACH ? (m->position != POS_NONE && m->cat == CAT_OLD) : 0)
				pool[npool++] = by_unit[u];
		}
		rec = rec_new(g, "training_course", id);
		switch (kind) {
		case TC_NHAN_THUC:
			snprintf(buf, sizeof(buf), "Lớp bồi dưỡng nhận thức về Đảng khóa %d năm %d, %s",
				k / NDISTRICTS + 1, g->year, districts[d].lname);
			break;
		case TC_DANG_VIEN_MOI:
			snprintf(buf, sizeof(buf), "Lớp bồi dưỡng lý luận chính trị dành cho đảng viên mới khóa %d năm %d, %s",
				k / NDISTRICTS + 1, g->year, districts[d].lname);
			break;
		case TC_SO_CAP:
			snprintf(buf, sizeof(buf), "Lớp sơ cấp lý luận chính trị khóa %d năm %d, %s",
				k / NDISTRICTS + 1, g->year, districts[d].lname);
			break;
		case TC_TRUNG_CAP:
			snprintf(buf, sizeof(buf), "Lớp trung cấp lý luận chính trị - hành chính khóa %d năm %d",
				k / NELEMS(cycle) + 1, g->year);
			break;
		default:
			snprintf(buf, sizeof(buf), "Lớp bồi dưỡng cán bộ trong quy hoạch nhiệm kỳ 2025-2030 năm %d%s%s",
				g->year, organizer == g->province ? "" : ", ", organizer == g->province ? "" : districts[d].lname);
			break;
		}
		set_str(g, rec, "name", buf);
		set_new(g, rec, "kind", json_string_nocheck(course_codes[kind]));
		if (kind == TC_QUY_HOACH)
			set_new(g, rec, "term", json_string_nocheck("2025-2030"));
		set_date(g, rec, "start_date", start);
		set_date(g, rec, "end_date", start + (kind == TC_TRUNG_CAP ? rng_range(r, 40, 55) : rng_range(r, 4, 12)));
		set_new(g, rec, "organizer_id", json_string_nocheck(g->orgs[organizer].id));
		/* Candidates attend the awareness course: they are not members, so no participant ids. */
		if (kind != TC_NHAN_THUC && npool > 0) {
			want = rng_range(r, 30, 70);
			if (want > npool)
				want = npool;
			for (i = 0; i < want; i++) {      /* a partial shuffle: the first `want` */
				int j = i + rng_below(r, npool - i), t = pool[i];
				pool[i] = pool[j];
				pool[j] = t;
			}
			qsort(pool, (size_t)want, sizeof(int), cmp_int_asc);
			arr = json_array();
			for (i = 0; i < want; i++)
				append_id(g, arr, g->members[pool[i]].id);
			set_new(g, rec, "participant_ids", arr);
		}
		rc = emit(g, g->orgs[organizer].unit, "training_course", rec);
	}
	free(pool);
	free(by_unit);
	return rc;
}

static int emit_meetings(gen *g, rng *r)
{
	int n = scaled_min1(g, 24), k, month, i, rc;
	int *total_of = NULL, *excused_of = NULL;
	char id[HOSO_ID_LEN + 1], buf[200];

	if (n > g->ncells)
		n = g->ncells;
	if (!(total_of = calloc((size_t)g->norgs, sizeof(int))) || !(excused_of = calloc((size_t)g->norgs, sizeof(int)))) {
		free(total_of);
		return oom();
	}
	/* Members on the cell's roll, and those excused (exempted, temporarily away, suspended). */
	for (i = 0; i < g->nactive; i++) {
		total_of[g->members[i].cell]++;
		excused_of[g->members[i].cell] += g->members[i].status != ST_ACTIVE;
	}
	for (k = 0, rc = 0; k < n && rc == 0; k++) {
		int stride = g->ncells / n, cell = g->cells[k * stride + rng_below(r, stride)];
		int total = total_of[cell], excused_base = excused_of[cell];
		for (month = 1; month <= 13; month++) {
			int thematic = month == 13, excused, attended;
			json_t *rec = rec_new(g, "cell_meeting", id), *topics;
			int32_t date = thematic ? days_from_civil(g->year, 5, rng_range(r, 15, 19)) :
				days_from_civil(g->year, month, rng_range(r, 3, 10));
			excused = excused_base + rng_below(r, 2);
			if (excused > total)
				excused = total;
			attended = total - excused - rng_below(r, 2);
			if (attended < 0)
				attended = 0;
			set_new(g, rec, "cell_id", json_string_nocheck(g->orgs[cell].id));
			set_date(g, rec, "date", date);
			set_new(g, rec, "kind", json_string_nocheck(thematic ? "chuyen_de" : "thuong_ky"));
			set_new(g, rec, "members_total", json_integer(total));
			set_new(g, rec, "attended", json_integer(attended));
			set_new(g, rec, "excused", json_integer(excused));
			topics = json_array();
			if (thematic) {
				if (!topics || json_array_append_new(topics, json_string(
						"Chuyên đề học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh")) < 0)
					g->error = 1;
			} else {
				snprintf(buf, sizeof(buf), "Đánh giá kết quả thực hiện nhiệm vụ tháng %d", month == 1 ? 12 : month - 1);
				if (!topics || json_array_append_new(topics, json_string(buf)) < 0)
					g->error = 1;
				snprintf(buf, sizeof(buf), "Triển khai nhiệm vụ tháng %d", month);
				if (json_array_append_new(topics, json_string(buf)) < 0)
					g->error = 1;
				if (json_array_append_new(topics,
						json_string(meeting_topics[rng_below(r, NELEMS(meeting_topics))])) < 0)
					g->error = 1;
			}
			set_new(g, rec, "topics", topics);
			if ((rc = emit(g, g->orgs[cell].unit, "cell_meeting", rec)) != 0)
				break;
		}
	}
	free(total_of);
	free(excused_of);
	return rc;
}

/* ------------------------------------------------------------- the API */

const char *hoso_gen_province_code(void)
{
	return PROVINCE_CODE;
}

const char *hoso_gen_province_name(void)
{
	return PROVINCE_NAME;
}

json_t *hoso_gen_units(void)
{
	json_t *out = json_object(), *units = json_array(), *u;
	int d, bad = !out || !units;

	if (!bad) {
		u = json_pack("{s:s, s:s, s:s}", "code", PROVINCE_CODE, "name", UNIT0_NAME, "level", "tinh");
		bad |= json_array_append_new(units, u) < 0;
		for (d = 0; d < NDISTRICTS && !bad; d++) {
			u = json_pack("{s:s, s:s, s:s, s:s}", "code", districts[d].code, "name", districts[d].name,
				"level", "huyen", "parent", PROVINCE_CODE);
			bad |= json_array_append_new(units, u) < 0;
		}
	}
	if (bad || json_object_set_new(out, "units", units) < 0) {
		if (bad)
			json_decref(units);
		json_decref(out);
		hoso_error_set(HOSO_ERROR, "out of memory while listing the units");
		return NULL;
	}
	return out;
}

enum { PH_ORGS = 1, PH_MEMBERS, PH_FOUNDING, PH_DISCIPLINE, PH_INSPECTION, PH_SUPERVISION, PH_UBKT,
	PH_NOTES, PH_RATINGS, PH_CANDIDATES, PH_COURSES, PH_MEETINGS, PH_IDS };

static void gen_free(gen *g)
{
	int i;

	for (i = 0; i < g->norgs; i++) {
		free(g->orgs[i].name);
		free(g->orgs[i].residence);
	}
	for (i = 0; i < g->ncommunes; i++)
		free(g->labels[i]);
	free(g->orgs);
	free(g->ch_start);
	free(g->ch);
	free(g->cells);
	free(g->grass);
	free(g->dbcs);
	free(g->upper);
	free(g->members);
	free(g->cm_start);
	free(g->cm);
	free(g->gm_start);
	free(g->gm);
	free(g->cids);
	free(g->events);
	free(g->acts[0]);
	free(g->acts[1]);
	free(g->subj);
	free(g->disc);
}

int hoso_gen_province(const hoso_gen_options *opts, hoso_gen_cb cb, void *payload)
{
	static const hoso_gen_options defaults = HOSO_GEN_OPTIONS_INIT;
	gen *g = NULL;
	rng r;
	uint64_t seed;
	int error = 0;

	if (!opts)
		opts = &defaults;
	if (opts->version < 1 || opts->version > HOSO_GEN_OPTIONS_VERSION)
		return hoso_error_set(HOSO_EUSAGE, "generator options of version %u; this hoso knows version %d",
			opts->version, HOSO_GEN_OPTIONS_VERSION);
	if (!cb)
		return hoso_error_set(HOSO_EUSAGE, "the generator needs a callback for the records");
	if (opts->year < 1990 || opts->year > 2099)
		return hoso_error_set(HOSO_EUSAGE, "cannot generate the year %d: it must be 1990 to 2099", opts->year);
	if (!(opts->scale > 0.0) || opts->scale > 20.0)
		return hoso_error_set(HOSO_EUSAGE, "cannot generate at scale %g: it must be above 0 and at most 20",
			opts->scale);
	if (!(g = calloc(1, sizeof(*g))))
		return oom();
	g->opts = opts;
	g->cb = cb;
	g->payload = payload;
	g->year = opts->year;
	g->jan1 = days_from_civil(g->year, 1, 1);
	g->dec31 = days_from_civil(g->year, 12, 31);
	g->ppm = (int64_t)(opts->scale * 1000000.0 + 0.5);
	if (g->ppm < 1)
		g->ppm = 1;
	/* Ids: noon of 30 June of the year, one millisecond apart, in the order emitted. */
	g->ms = (uint64_t)days_from_civil(g->year, 6, 30) * 86400000ULL + 12ULL * 3600000ULL;
	seed = opts->seed;
	rng_seed(&g->idr, seed, PH_IDS);

#define PHASE(ph, call) do { rng_seed(&r, seed, (ph)); if ((error = (call)) != 0) goto done; } while (0)
	PHASE(PH_ORGS, plan_orgs(g, &r));
	if ((error = index_orgs(g)) != 0)
		goto done;
	PHASE(PH_MEMBERS, plan_members(g, &r));
	rng_seed(&r, seed, PH_FOUNDING);
	plan_founding(g, &r);
	PHASE(PH_DISCIPLINE, plan_discipline(g, &r));
	PHASE(PH_INSPECTION, plan_counted(g, &r, 0, scaled_min1(g, 3290), scaled_min1(g, 583), scaled_min1(g, 3456)));
	PHASE(PH_SUPERVISION, plan_counted(g, &r, 1, scaled_min1(g, 3574), scaled_min1(g, 1073), scaled_min1(g, 3363)));
	PHASE(PH_UBKT, plan_ubkt(g, &r));
	rng_seed(&r, seed, PH_NOTES);
	plan_notes(g, &r);
	rng_seed(&r, seed, PH_RATINGS);
	plan_ratings(g, &r);

	if ((error = emit_orgs(g)) != 0 || (error = emit_members(g)) != 0 || (error = emit_events(g)) != 0)
		goto done;
	PHASE(PH_CANDIDATES, emit_candidates(g, &r));
	if ((error = emit_acts(g, 0)) != 0 || (error = emit_acts(g, 1)) != 0 ||
		(error = emit_discipline(g)) != 0 || (error = emit_ratings(g)) != 0)
		goto done;
	PHASE(PH_COURSES, emit_courses(g, &r));
	PHASE(PH_MEETINGS, emit_meetings(g, &r));
#undef PHASE
done:
	gen_free(g);
	free(g);
	return error;
}
