# ruff: noqa: E501  (one paragraph per line, as extracted text has them)
"""Story texts in the four sites' style, written for the clustering tests (tests/storage/story_pairs.py).

WIRE_* are agency (Antara) copy as the outlets receive it; REPORT_* are the same events written by
the outlets' own reporters, with their own sentences and sources (some quote the same officials);
OTHER_* are other events with the same actors. Dates and quotes are invented for the tests.
"""

WIRE_PACT = """Presiden Rusia Vladimir Putin dan Pemimpin Korea Utara Kim Jong Un menandatangani perjanjian kemitraan strategis komprehensif di Pyongyang pada Rabu (19/6/2024), yang mencakup ketentuan saling membantu jika salah satu pihak diserang.
Penandatanganan dilakukan setelah pembicaraan tertutup selama hampir lima jam di Istana Kumsusan, menurut kantor berita resmi Korea Utara KCNA dan kantor berita Rusia TASS.
"Perjanjian ini antara lain mengatur bantuan timbal balik jika terjadi agresi terhadap salah satu pihak," kata Putin dalam konferensi pers bersama setelah pertemuan itu.
Kim menyebut kesepakatan tersebut sebagai "perjanjian paling kuat" yang pernah dibuat kedua negara, dan mengatakan hubungan Pyongyang dan Moskow telah naik ke tingkat aliansi.
Putin juga mengatakan Rusia tidak menutup kemungkinan mengembangkan kerja sama teknis militer dengan Korea Utara, meskipun negara itu berada di bawah sanksi Dewan Keamanan PBB sejak 2006.
Amerika Serikat dan Korea Selatan sebelumnya menuding Pyongyang telah memasok peluru artileri dan rudal balistik kepada Rusia untuk digunakan dalam perang di Ukraina, tuduhan yang dibantah oleh kedua negara.
Juru bicara Departemen Luar Negeri AS Matthew Miller mengatakan Washington akan memantau dengan cermat pelaksanaan perjanjian itu dan membahasnya dengan sekutu di kawasan.
Kunjungan Putin ke Pyongyang merupakan yang pertama dalam 24 tahun. Ia disambut upacara besar di Lapangan Kim Il Sung sebelum melanjutkan perjalanan ke Vietnam pada Kamis."""

WIRE_KURSK = """Badan intelijen Korea Selatan (NIS) menyatakan sekitar 1.500 personel pasukan khusus Korea Utara telah tiba di Rusia dan tengah menjalani pelatihan di pangkalan militer di Timur Jauh, Jumat (18/10/2024).
NIS mengatakan para prajurit itu diangkut dengan kapal angkut Rusia dari pelabuhan Chongjin dan Hamhung ke Vladivostok antara 8 dan 13 Oktober, dan menunjukkan foto satelit yang memperlihatkan pergerakan kapal-kapal tersebut.
Menurut lembaga itu, pasukan Korea Utara dibekali seragam dan senjata Rusia serta dokumen identitas palsu yang menyatakan mereka berasal dari wilayah Yakutia dan Buryatia.
"Korea Utara diperkirakan akan mengirim total sekitar 12.000 tentara dari empat brigade, termasuk pasukan khusus," kata NIS dalam pernyataannya.
Presiden Korea Selatan Yoon Suk Yeol menggelar rapat darurat keamanan nasional dan menyebut pengiriman pasukan itu sebagai ancaman keamanan serius bagi Seoul dan komunitas internasional.
Kremlin menolak berkomentar tentang laporan tersebut. Juru bicara Kremlin Dmitry Peskov sebelumnya menyebut tuduhan keterlibatan tentara Korea Utara di Ukraina sebagai berita palsu.
Presiden Ukraina Volodymyr Zelensky mengatakan intelijen negaranya memiliki data bahwa Rusia sedang menyiapkan 10.000 tentara Korea Utara untuk dikirim ke medan perang.
Pengerahan itu, jika terbukti, akan menjadi keterlibatan besar pertama Korea Utara dalam perang di luar negeri sejak perang Korea berakhir pada 1953."""

# The same two events by the outlets' own reporters.
REPORT_PACT = """Kunjungan kenegaraan Vladimir Putin ke Korea Utara berujung pada sebuah pakta pertahanan yang oleh banyak analis disebut sebagai titik balik hubungan kedua negara.
Dalam dokumen yang diumumkan media pemerintah Korea Utara, Kamis (20/6/2024), Moskow dan Pyongyang sepakat memberikan bantuan militer "dengan segala cara yang tersedia" apabila salah satu dari mereka berada dalam keadaan perang.
Pengamat dari Universitas Kookmin di Seoul, Andrei Lankov, menilai isi perjanjian itu mengingatkan pada traktat aliansi era Perang Dingin yang dibubarkan setelah runtuhnya Uni Soviet.
Di Jakarta, pengamat hubungan internasional menilai kesepakatan tersebut akan mempersulit upaya diplomasi untuk meredakan ketegangan di Semenanjung Korea.
Pemerintah Korea Selatan menyatakan penyesalan dan mengatakan akan meninjau kembali kebijakannya yang selama ini melarang pengiriman senjata mematikan ke Ukraina.
Kim Jong Un sendiri, dalam pidato jamuan makan malam untuk tamunya, memuji Rusia sebagai "teman dan sekutu paling jujur" dan menyatakan dukungan penuh terhadap operasi militer Moskow di Ukraina.
Putin meninggalkan Pyongyang pada Rabu malam dengan membawa hadiah sepasang anjing jenis pungsan dari tuan rumahnya."""

REPORT_KURSK = """Keterlibatan Korea Utara dalam perang Rusia di Ukraina memasuki babak baru setelah Seoul mengungkap pengiriman ribuan tentara ke wilayah Rusia.
Kepala badan intelijen Korea Selatan kepada anggota parlemen di Seoul, Rabu (23/10/2024), menyebut sebagian tentara itu sudah bergerak dari Timur Jauh ke arah barat, mendekati garis depan.
Para legislator yang mengikuti rapat tertutup tersebut mengatakan para prajurit diajari istilah militer dalam bahasa Rusia dan menerima sekitar 2.000 dolar AS per bulan.
Pemerintah Ukraina menyatakan unit pertama tentara Korea Utara kemungkinan akan diterjunkan di wilayah Kursk, tempat pasukan Kyiv menguasai sejumlah desa sejak Agustus.
Sekretaris Jenderal NATO Mark Rutte mengatakan pengerahan itu merupakan eskalasi yang berbahaya dan bukti keputusasaan Putin atas banyaknya korban di pihak Rusia.
Korea Utara melalui wakil menteri luar negerinya menyatakan, jika pengiriman pasukan benar terjadi, langkah itu sesuai dengan hukum internasional.
Analis pertahanan memperkirakan Pyongyang akan memperoleh imbalan berupa teknologi satelit, kapal selam dan rudal dari Moskow atas keterlibatannya."""

# Other events with the same actors (Kim, Putin, Shoigu, Seoul, Kremlin).
OTHER_SHOIGU = """Menteri Pertahanan Rusia Sergei Shoigu tiba di Pyongyang, Selasa (25/7/2023), untuk menghadiri peringatan 70 tahun berakhirnya Perang Korea yang oleh Korea Utara disebut Hari Kemenangan.
Kedatangan Shoigu disambut Menteri Pertahanan Korea Utara Kang Sun Nam di bandara internasional Sunan, menurut kantor berita KCNA.
Pemimpin Korea Utara Kim Jong Un kemudian mengajak Shoigu mengunjungi pameran persenjataan yang menampilkan rudal balistik antarbenua Hwasong dan pesawat nirawak baru.
Shoigu menyampaikan surat dari Presiden Vladimir Putin kepada Kim dan mengatakan kedua negara akan memperkuat kerja sama di bidang pertahanan.
Delegasi China yang dipimpin anggota Politbiro Li Hongzhong juga hadir dalam parade militer pada malam harinya di Lapangan Kim Il Sung.
Kunjungan itu merupakan yang pertama oleh seorang menteri pertahanan Rusia ke Korea Utara sejak runtuhnya Uni Soviet."""

OTHER_SUMMIT = """Pemimpin Korea Utara Kim Jong Un tiba di Kosmodrom Vostochny di wilayah Amur, Rusia, dengan kereta lapis bajanya untuk bertemu Presiden Vladimir Putin, Rabu (13/9/2023).
Putin menyambut Kim di pintu masuk pusat peluncuran roket itu dan keduanya berjabat tangan selama sekitar 40 detik sebelum berkeliling fasilitas tersebut.
Ketika ditanya wartawan apakah Rusia akan membantu Korea Utara membangun satelit, Putin menjawab, "Itulah sebabnya kami datang ke sini."
Kim mengatakan Korea Utara akan selalu mendukung keputusan Putin dan menyebut Rusia sedang berjuang melawan kekuatan hegemonik untuk membela kedaulatannya.
Kedua pemimpin kemudian melakukan pembicaraan tertutup yang menurut Kremlin membahas kerja sama ekonomi, situasi di Semenanjung Korea, dan hubungan militer.
Amerika Serikat memperingatkan bahwa setiap kesepakatan senjata antara kedua negara akan melanggar resolusi Dewan Keamanan PBB dan akan dijawab dengan sanksi tambahan."""

OTHER_BELOUSOV = """Menteri Pertahanan Rusia Andrei Belousov bertemu Pemimpin Korea Utara Kim Jong Un di Pyongyang pada Jumat (29/11/2024) dan membahas penguatan kerja sama militer kedua negara.
Kantor berita KCNA melaporkan Kim menyatakan Korea Utara akan terus mendukung kebijakan Rusia untuk mempertahankan kedaulatan dan integritas wilayahnya.
Belousov tiba di Pyongyang sehari sebelumnya dan disambut oleh Menteri Pertahanan Korea Utara No Kwang Chol dalam upacara penyambutan dengan pasukan kehormatan.
Kementerian Pertahanan Rusia tidak merinci isi pembicaraan, tetapi mengatakan kunjungan itu merupakan bagian dari pelaksanaan perjanjian kemitraan strategis yang mulai berlaku awal bulan ini.
Korea Selatan menyatakan memantau kunjungan tersebut dengan cermat dan meminta kedua negara menghentikan kerja sama militer yang melanggar resolusi PBB.
Ini adalah kunjungan kedua Belousov ke luar negeri sejak ia menggantikan Sergei Shoigu sebagai menteri pertahanan pada Mei lalu."""
