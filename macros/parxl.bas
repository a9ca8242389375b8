Attribute VB_Name = "parxl"
' parxl: các nút bấm của bảng điều khiển đợt đánh giá Chỉ số CCHC.
' Mỗi nút chạy một hàm Python trong parxl.xl qua xlwings; mọi việc do parxl làm,
' kết quả ghi vào vùng «parxl_status» của trang «Điều khiển».
' Cần: Python có parxl[excel], add-in xlwings, tham chiếu xlwings (Tools > References).
' Đừng sửa ở đây: sửa macros/parxl.bas trong kho mã rồi tạo lại tệp .xlsm (xem macros/README.md).
Option Explicit

' Tạo biểu mẫu tự đánh giá cho từng đơn vị (thư mục workbooks).
Sub TaoBieuMau()
    RunPython "import parxl.xl; parxl.xl.generate()"
End Sub

' Kiểm tra tệp các đơn vị gửi về (thư mục inbox).
Sub KiemTraTepGuiVe()
    RunPython "import parxl.xl; parxl.xl.check()"
End Sub

' Tổng hợp, xếp hạng, xếp loại; lập bảng tổng hợp (thư mục output).
Sub TongHopXepHang()
    RunPython "import parxl.xl; parxl.xl.consolidate()"
End Sub

' Soạn quyết định công bố, thông báo kết quả và báo cáo (thư mục output).
Sub SoanQuyetDinh()
    RunPython "import parxl.xl; parxl.xl.documents()"
End Sub
