# Vietnamese interface strings for the sample. The translation is illustrative: a city
# publishing in Vietnamese should have its translators review every message.
# The keys, and the `{ $name }` values each message takes, are those of the built-in en.ftl.

language_name = Tiếng Việt

## Trạng thái

on_track = Đạt mục tiêu
near_target = Gần đạt mục tiêu
off_track = Chưa đạt mục tiêu
no_target = Không có mục tiêu
no_data = Không có dữ liệu

## Mục tiêu và xu hướng

target_at_least = Mục tiêu: ít nhất { $value }
target_at_most = Mục tiêu: nhiều nhất { $value }
target_range = Mục tiêu: từ { $low } đến { $high }
target_none = Chưa đặt mục tiêu
trend_up = Tăng { $amount } so với một năm trước
trend_down = Giảm { $amount } so với một năm trước
trend_same = Không đổi so với một năm trước
trend_none = Không có số liệu một năm trước để so sánh
points = { $count ->
   *[other] { $amount } điểm
}
week_of = Tuần bắt đầu { $date }

## Thẻ, biểu đồ và tóm tắt lĩnh vực

last_updated = Cập nhật lần cuối
about = Về chỉ số này
source = Nguồn
get_data = Lấy dữ liệu
feedback = Góp ý
unavailable = Không có dữ liệu
unavailable_detail = Không thể tải dữ liệu của chỉ số này.
open_data = Mở dữ liệu
show_table = Hiện dạng bảng
hide_table = Ẩn bảng
on_track_count = { $on_track } trên { $total } chỉ số đạt mục tiêu
period = Kỳ
value = Giá trị
status = Trạng thái
target = Mục tiêu
citywide = Toàn thành phố
chart_label = { $title }: { $value } trong { $period }. { $target }. { $status }.
chart_help = Dùng các phím mũi tên để chuyển giữa các kỳ.
point_label = { $series }, { $period }: { $value }, { $status }
loading = Đang tải…

## Trang dành cho cư dân

skip = Chuyển đến nội dung
home = Bảng điều khiển
languages = Ngôn ngữ
breadcrumb = Đường dẫn
priority_areas = Lĩnh vực ưu tiên
all_measures = Tất cả chỉ số của { $area }
measures_in_area = Chỉ số
area_feed = Theo dõi cập nhật của lĩnh vực này (nguồn Atom)
site_feed = Theo dõi mọi cập nhật (nguồn Atom)
measure_feed = Theo dõi chỉ số này (nguồn Atom)
why = Vì sao quan trọng
how = Cách chúng tôi đo lường
computed_heading = Được tính từ hồ sơ
computed_from = Được tính vào { $date } bằng { $engine }, từ các hồ sơ sau:
computed_query = Truy vấn dùng để tính
provisional_period = { $period } (tạm thời: kỳ này chưa kết thúc)
department = Cơ quan
frequency = Tần suất báo cáo
target_history = Lịch sử mục tiêu
from_period = Từ
current_target = Mục tiêu hiện tại
data_table = Dữ liệu
data_caption = { $title }: mọi kỳ
data_caption_latest = { $title }: { $shown } kỳ gần nhất trong { $total } kỳ (mọi kỳ có trong tệp tải xuống)
breakdown_caption = { $title } theo { $dimension }, { $period }
note = Ghi chú
downloads = Tải dữ liệu xuống
measure_json = Chỉ số này (JSON)
chart_svg = Biểu đồ này (SVG)
embed = Nhúng chỉ số này
embed_help = Dán khung vào nơi thẻ cần hiện, và dán đoạn mã một lần mỗi trang: mã sẽ chỉnh chiều cao khung theo nội dung.
embed_card = Thẻ
embed_chart = Biểu đồ
cite_this = Trích dẫn
cite_help = Số liệu như đã công bố, kèm trang và thời điểm công bố:
cite_text = { $publisher }, “{ $title }”: { $value } trong { $period }. { $url } (công bố { $published }).
cite_text_no_value = { $publisher }, “{ $title }”. { $url } (công bố { $published }).
report_problem = Báo lỗi dữ liệu
report_subject = Lỗi dữ liệu: { $title }
latest = Mới nhất
chart_alt = Biểu đồ { $title }
about_data = Về dữ liệu
about_intro = Mọi con số trên trang này đều lấy từ một bộ dữ liệu được công bố, ở các định dạng cho bảng tính, công cụ dữ liệu và trang web.
published_by = Do { $publisher } công bố.
licence = Giấy phép
contact = Liên hệ
updated = Cập nhật
latest_record = Bản ghi mới nhất
owner_questions = Câu hỏi về chỉ số này:
analysis = Ý kiến của cơ quan
analysis_line = { $period }: { $text }
revised = Đã sửa: công bố lần đầu là { $value } vào { $date }
revisions = Các lần sửa đổi
revisions_intro = Các giá trị đã công bố trước đây và được sửa lại sau đó. Bảng sửa đổi của bộ dữ liệu lưu mọi giá trị từng được công bố.
revision_line = { $period }: { $value }, công bố { $published }, thay thế { $replaced }
restated = { $title }, { $period }: sửa từ { $old } thành { $new }
dictionary = Từ điển dữ liệu
status_rule = Cách xác định trạng thái
status_intro = Mỗi giá trị được so với mục tiêu áp dụng cho kỳ của nó: mục tiêu riêng của kỳ đó, nếu không thì lần thay đổi mục tiêu gần nhất, nếu không thì mục tiêu của chỉ số. Mỗi mục tiêu có một biên gọi là “gần”, bằng 5% mục tiêu trừ khi chỉ số quy định khác.
rule_at_least = Mục tiêu tối thiểu: đạt khi giá trị chạm mục tiêu; gần đạt khi thiếu không quá biên; còn lại là chưa đạt.
rule_at_most = Mục tiêu tối đa: đạt khi giá trị không vượt mục tiêu; gần đạt khi vượt không quá biên; còn lại là chưa đạt.
rule_range = Một khoảng: đạt khi ở trong khoảng; gần đạt khi ở ngoài khoảng trong phạm vi biên; còn lại là chưa đạt.
rule_none = Không có mục tiêu thì trạng thái là “Không có mục tiêu”; kỳ không có giá trị là “Không có dữ liệu”. Giá trị theo quận hội đồng hay cách chia khác chỉ được đánh giá theo mục tiêu đặt riêng cho chúng.
column = Cột
type = Kiểu
description = Mô tả
primary_key = Khóa chính
feeds = Nguồn tin
not_found = Không tìm thấy trang
not_found_help = Trang bạn tìm không có ở đây. Hãy bắt đầu lại từ bảng điều khiển.
no_measures = Chưa có chỉ số nào.
daily = Hằng ngày
weekly = Hằng tuần
monthly = Hằng tháng
quarterly = Hằng quý
annual = Hằng năm
update_entry = { $title }: { $value } trong { $period }
change_entry = { $title } nay { $status }
table_observations = Số liệu quan sát
table_measures = Chỉ số
table_areas = Lĩnh vực ưu tiên

## Mục tiêu nhiều năm và độ cập nhật của số liệu

goals = Mục tiêu nhiều năm
goals_on_pace = { $on_pace } trên { $total } mục tiêu đúng tiến độ hoặc đã đạt
goal_achieved = Đã đạt
goal_missed = Không đạt
goal_on_pace = Đúng tiến độ
goal_behind_pace = Chậm tiến độ
goal_no_data = Chưa có dữ liệu
goal_progress = { $progress } trên { $target } ({ $share })
goal_progress_latest = Hiện là { $progress }, đã đi được { $share } chặng đường đến { $target }
goal_baseline = Điểm xuất phát: { $value } vào { $period }
goal_deadline = Thời hạn: { $period }
goal_expected = Mức dự kiến theo lộ trình vào { $period }: { $value }
goal_projection = Theo tốc độ này: đạt vào { $period }
goal_no_projection = Theo tốc độ này sẽ không đạt
goal_milestones = Các mốc
goal_line = Mục tiêu: { $title } – { $status }
goal_of = Một mục tiêu của { $measure }
embed_goal = Nhúng mục tiêu này
next_due = Lần cập nhật tới dự kiến vào { $date }
update_late = Cập nhật bị trễ: dự kiến vào { $date }
update_stale = Cập nhật trễ lâu: dự kiến vào { $date }
measures_late = { $count ->
   *[other] { $amount } chỉ số bị trễ
}
goal_rule = Cách đánh giá mục tiêu
goal_rule_path = Một mục tiêu bắt đầu từ một giá trị trong kỳ cơ sở và đi đến mức mục tiêu vào cuối kỳ hạn, qua các mốc nếu có. Giữa các điểm đó, lộ trình là một đường thẳng theo từng ngày.
goal_rule_status = Mục tiêu đã đạt khi tiến độ chạm mức mục tiêu; không đạt khi đã quá hạn mà chưa chạm; đúng tiến độ khi tiến độ mới nhất bằng hoặc vượt mức lộ trình dự kiến; ngoài ra là chậm tiến độ. Tiến độ là giá trị mới nhất, hoặc với các tổng như số nhà được tài trợ, là tổng các giá trị kể từ kỳ cơ sở.
goal_rule_projection = “Theo tốc độ này” dựa trên đường thẳng khớp nhất với tiến độ của năm gần nhất. Không có dự báo khi đường đó nằm ngang, đi ngược hướng, hoặc chỉ chạm mức mục tiêu sau hơn một thế kỷ.
freshness_rule = Khi nào có số liệu
freshness_rule_text = Số liệu của mỗi kỳ được dự kiến công bố sau khi kỳ kết thúc một khoảng thời gian cố định: hai ngày với chỉ số hằng ngày, một tuần với chỉ số hằng tuần, 30 ngày với chỉ số hằng tháng, 60 ngày với chỉ số hằng quý và 180 ngày với chỉ số hằng năm, trừ khi chỉ số quy định khác. Một chỉ số bị trễ khi số liệu tiếp theo đã đến hạn mà chưa có, và trễ lâu khi cả số liệu sau đó cũng đã đến hạn.
goal_entry = Mục tiêu “{ $title }” hiện { $status }
late_entry = { $title } bị trễ: { $period } dự kiến vào { $date }
